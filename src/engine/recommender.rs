//! The recommender the page talks to. Built from the card JSON and weight
//! bytes: the weights must hash to the card's sha256, decode, and fit the
//! architecture it describes. `recommend` skips ids the model does not know,
//! never returns an item from the history, answers a shopper with no history
//! with the card's popular items, and moves to the CPU if the GPU fails.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::device::{self, Backend, BackendChoice};
use super::similarity::ItemSimilarity;
use crate::card::ModelCard;
use crate::data::baskets::BoughtTogetherFile;
use crate::data::batch::pad_histories;
use crate::data::catalog::CatalogProblem;
use crate::data::{Catalog, CatalogItem, ItemVocab};
use crate::error::{Result, VitrineError};
use crate::infer::{history_tensor, top_k};
use crate::model::SasRec;
use crate::weights::{load_on_cpu, load_recommender, verify_digest, verify_sha256};

/// The most items one call may ask for.
pub const MAX_K: usize = 200;
/// Longest history accepted from the page; only the model's last `max_len` are read.
pub const MAX_HISTORY: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub id: String,
    /// Model score (higher is better); for cold-start answers, the popularity rank's negative.
    pub score: f32,
    /// Catalog fields, when a catalog was given and lists the item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<CatalogItem>,
    /// The history item this one is most like ("Why this?"), for personal answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub because: Option<String>,
}

/// What attaching a catalog did, for the page's console.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogSummary {
    /// Model items the catalog lists as in stock.
    pub covered: usize,
    pub kept: usize,
    /// Kept items marked out of stock (never shown).
    pub unavailable: usize,
    pub dropped: usize,
    /// One line with the counts and the first problems, when there were any.
    pub warning: Option<String>,
    pub problems: Vec<CatalogProblem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendations {
    pub backend: Backend,
    /// True when the history held no known item and the card's popular items were served.
    pub cold_start: bool,
    /// History ids the model does not know (skipped).
    pub unknown_ids: usize,
    pub items: Vec<Recommendation>,
}

/// The network on its device. Cloning is cheap (tensors are shared), so a
/// request takes a copy and never holds a borrow across an `await`.
#[derive(Clone)]
struct Compute {
    model: SasRec,
    device: Device,
    backend: Backend,
    fallback_reason: Option<String>,
}

pub struct Recommender {
    card: ModelCard,
    vocab: ItemVocab,
    weights: Vec<u8>,
    similarity: ItemSimilarity,
    compute: RefCell<Compute>,
    catalog: Option<AttachedCatalog>,
    /// Co-purchase partners by model index, when the card ships them.
    bought_together: HashMap<u32, Vec<u32>>,
}

impl Recommender {
    /// Validate the card, check the weights' sha256, decode them onto the chosen device.
    pub async fn load(card_json: &str, weights: Vec<u8>, choice: BackendChoice) -> Result<Self> {
        Self::load_with_digest(card_json, weights, None, choice).await
    }

    /// `load` given the weights' sha256 (hex) when the caller has computed it (`weights::verify_digest`).
    pub async fn load_with_digest(card_json: &str, weights: Vec<u8>, weights_sha256: Option<&str>, choice: BackendChoice) -> Result<Self> {
        let card = ModelCard::from_json(card_json)?;
        verify_digest(&weights, weights_sha256, &card.weights.sha256)?;
        let vocab = card.vocab()?;
        let (device, backend, fallback_reason) = device::pick(choice).await;
        let cpu_model = load_on_cpu(&card.config, &weights)?;
        let similarity = ItemSimilarity::from_model(&cpu_model).await?;
        let model = if backend == Backend::Cpu { cpu_model } else { cpu_model.to_device(&device) };
        Ok(Self {
            card,
            vocab,
            weights,
            similarity,
            compute: RefCell::new(Compute {
                model,
                device,
                backend,
                fallback_reason,
            }),
            catalog: None,
            bought_together: HashMap::new(),
        })
    }

    /// Attach the card's co-purchase file (checked against the card's sha256);
    /// returns how many items have partners.
    pub fn set_bought_together(&mut self, bytes: &[u8]) -> Result<usize> {
        let side = self
            .card
            .bought_together
            .as_ref()
            .ok_or_else(|| VitrineError::InvalidCard("this card ships no bought-together file".into()))?;
        verify_sha256(bytes, &side.sha256)?;
        let file = BoughtTogetherFile::from_json(bytes)?;
        self.bought_together = file
            .pairs
            .iter()
            .filter_map(|(id, partners)| {
                let index = self.vocab.get(id)?;
                Some((index, partners.iter().filter_map(|p| self.vocab.get(p)).collect()))
            })
            .collect();
        Ok(self.bought_together.len())
    }

    /// Items often bought with `id`, best first, never `id` or `exclude`
    /// (e.g. what is already in the basket). Empty when none are known.
    pub fn bought_together(&self, id: &str, exclude: &[String], k: usize) -> Result<Recommendations> {
        check_k(k)?;
        let index = self.known_index(id)?;
        let partners = self.bought_together.get(&index).cloned().unwrap_or_default();
        let skip = self.known_indices(exclude);
        // Partners come ranked; express the rank as a descending score.
        let ranked: Vec<(u32, f32)> = partners.iter().enumerate().map(|(r, &p)| (p, -(r as f32))).collect();
        let items = self.collect_showable(
            k,
            skip,
            self.products_around(id, exclude),
            |taken, n| ranked.iter().filter(|(p, _)| !taken.contains(p) && *p != index).take(n).copied().collect(),
            |_| Some(id.to_string()),
        );
        Ok(self.answer(items, false, 0))
    }

    pub fn backend(&self) -> Backend {
        self.compute.borrow().backend
    }

    /// Why WebGPU is not in use, if it was wanted and is not.
    pub fn fallback_reason(&self) -> Option<String> {
        self.compute.borrow().fallback_reason.clone()
    }

    pub fn card(&self) -> &ModelCard {
        &self.card
    }

    /// Attach the store's catalog after the catalog check: its valid items
    /// in stock are used, each invalid one is left out and reported. Only a catalog
    /// with no usable item is refused (`MalformedCatalog`), and then the one
    /// attached before stays.
    pub fn set_catalog(&mut self, json: &str) -> Result<CatalogSummary> {
        let (catalog, report) = Catalog::from_json(json)?;
        // Out-of-stock items are not indexed, so no placement can show them.
        let index: HashMap<String, usize> =
            catalog.items.iter().enumerate().filter(|(_, it)| it.available).map(|(i, it)| (it.id.clone(), i)).collect();
        let unavailable = catalog.items.len() - index.len();
        let covered = self.vocab.ids().iter().filter(|id| index.contains_key(*id)).count();
        // Every listed item's product, in stock or not.
        let groups = catalog.items.iter().filter_map(|it| Some((it.id.clone(), it.group.clone()?))).collect();
        self.catalog = Some(AttachedCatalog { catalog, index, groups });
        Ok(CatalogSummary {
            covered,
            kept: report.kept,
            unavailable,
            dropped: report.dropped(),
            warning: report.warning(),
            problems: report.problems,
        })
    }

    fn catalog_item(&self, id: &str) -> Option<CatalogItem> {
        let attached = self.catalog.as_ref()?;
        attached.index.get(id).map(|&i| attached.catalog.items[i].clone())
    }

    /// The product an item is a variant of, when the catalog groups it (any
    /// listed item, in stock or not: a view of a sold-out variant still says
    /// which product the shopper looked at).
    fn group_of(&self, id: &str) -> Option<&str> {
        self.catalog.as_ref()?.groups.get(id).map(String::as_str)
    }

    /// Products (variant groups) the given items belong to.
    fn groups_of(&self, ids: &[String]) -> HashSet<String> {
        ids.iter().filter_map(|id| self.group_of(id)).map(str::to_string).collect()
    }

    /// The products an anchor item and the excluded items (a basket) belong to.
    fn products_around(&self, id: &str, exclude: &[String]) -> HashSet<String> {
        let mut products = self.groups_of(exclude);
        products.extend(self.group_of(id).map(str::to_string));
        products
    }

    /// When a catalog is attached, only items it lists can be shown.
    fn showable(&self, id: &str) -> bool {
        self.catalog.as_ref().is_none_or(|attached| attached.index.contains_key(id))
    }

    /// Top-`k` items for a history (oldest first).
    pub async fn recommend(&self, history: &[String], k: usize) -> Result<Recommendations> {
        check_k(k)?;
        if history.len() > MAX_HISTORY {
            return Err(VitrineError::InvalidRequest(format!(
                "history of {} ids is longer than the {MAX_HISTORY} accepted",
                history.len()
            )));
        }
        let known = self.known_indices(history);
        let unknown_ids = history.len() - known.len();
        if known.is_empty() {
            if !history.is_empty() {
                return Err(VitrineError::UnknownIds {
                    count: history.len(),
                    first: history[0].chars().take(64).collect(),
                });
            }
            return Ok(self.popular(k));
        }
        let compute = self.compute.borrow().clone();
        let scores = match scores(&compute, &known).await {
            Ok(scores) => scores,
            Err(gpu_error) if compute.backend == Backend::Webgpu => {
                // The GPU device was lost or failed: rebuild on the CPU and answer from there.
                let (device, backend) = device::cpu();
                let cpu = Compute {
                    model: load_recommender(&self.card.config, &self.weights, &device)?,
                    device,
                    backend,
                    fallback_reason: Some(format!("WebGPU failed during inference: {gpu_error}")),
                };
                *self.compute.borrow_mut() = cpu.clone();
                scores(&cpu, &known).await?
            }
            Err(e) => return Err(e),
        };
        // Attribute each pick to one of the ten most recent history items.
        let recent = &known[known.len().saturating_sub(10)..];
        let items = self.collect_showable(k, known.clone(), self.groups_of(history), |skip, n| top_k(&scores, skip, n), |index| {
            self.similarity.closest(index, recent).and_then(|i| self.vocab.id(i)).map(str::to_string)
        });
        Ok(self.answer(items, false, unknown_ids))
    }

    /// The card's popular items (for shoppers with no history yet).
    pub fn popular(&self, k: usize) -> Recommendations {
        let mut groups = HashSet::new();
        let items = self
            .card
            .popular
            .iter()
            .filter(|id| self.showable(id) && self.group_of(id).is_none_or(|g| groups.insert(g.to_string())))
            .take(k)
            .enumerate()
            .map(|(rank, id)| Recommendation {
                id: id.clone(),
                score: -(rank as f32),
                item: self.catalog_item(id),
                because: None,
            })
            .collect();
        self.answer(items, true, 0)
    }

    /// The `k` items whose trained embeddings are closest to `id` (cosine),
    /// never `id` itself or anything in `exclude` (e.g. the basket).
    pub fn similar(&self, id: &str, exclude: &[String], k: usize) -> Result<Recommendations> {
        check_k(k)?;
        let index = self.known_index(id)?;
        let skip = self.known_indices(exclude);
        let items = self.collect_showable(k, skip, self.products_around(id, exclude), |skip, n| self.similarity.most_similar(index, skip, n), |_| Some(id.to_string()));
        Ok(self.answer(items, false, 0))
    }

    /// Package picks with the backend that computed them.
    fn answer(&self, items: Vec<Recommendation>, cold_start: bool, unknown_ids: usize) -> Recommendations {
        Recommendations {
            backend: self.backend(),
            cold_start,
            unknown_ids,
            items,
        }
    }

    /// The model index of an anchor item, or an `UnknownIds` error.
    fn known_index(&self, id: &str) -> Result<u32> {
        self.vocab.get(id).ok_or_else(|| VitrineError::UnknownIds {
            count: 1,
            first: id.chars().take(64).collect(),
        })
    }

    /// Model indices of the ids the model knows (others are skipped).
    fn known_indices(&self, ids: &[String]) -> Vec<u32> {
        ids.iter().filter_map(|id| self.vocab.get(id)).collect()
    }

    /// Draw ranked candidates from `next` (given the indices already taken and
    /// how many are still wanted) until `k` items the catalog can show are
    /// collected, asking again when some are missing from the catalog. Variants
    /// are one product to the shopper: at most one item per group, and none
    /// of a group in `products` (what she already has or is looking at).
    fn collect_showable(
        &self,
        k: usize,
        mut taken: Vec<u32>,
        mut products: HashSet<String>,
        next: impl Fn(&[u32], usize) -> Vec<(u32, f32)>,
        because: impl Fn(u32) -> Option<String>,
    ) -> Vec<Recommendation> {
        let mut items = Vec::with_capacity(k);
        while items.len() < k {
            let batch = next(&taken, k - items.len());
            if batch.is_empty() {
                break;
            }
            for (index, score) in batch {
                taken.push(index);
                let id = self.vocab.id(index).expect("ranked indices are in the vocabulary");
                if self.showable(id) && self.group_of(id).is_none_or(|g| products.insert(g.to_string())) {
                    items.push(Recommendation {
                        id: id.to_string(),
                        score,
                        item: self.catalog_item(id),
                        because: because(index),
                    });
                }
            }
        }
        items
    }

    /// Catalog entries for ids, in the given order, skipping ids the catalog
    /// does not list (for the "recently viewed" placement).
    pub fn lookup(&self, ids: &[String]) -> Vec<Recommendation> {
        ids.iter()
            .filter_map(|id| {
                self.catalog_item(id).map(|item| Recommendation {
                    id: id.clone(),
                    score: 0.0,
                    item: Some(item),
                    because: None,
                })
            })
            .collect()
    }

    /// Run one recommendation so kernels are compiled before the shopper's first request.
    pub async fn warm_up(&self) -> Result<()> {
        if let Some(first) = self.card.popular.first().cloned() {
            self.recommend(&[first], 1).await?;
        }
        Ok(())
    }
}

/// The store's catalog as the engine uses it.
struct AttachedCatalog {
    catalog: Catalog,
    /// Items in stock, by id: position in `catalog.items`.
    index: HashMap<String, usize>,
    /// Item id → its product (variant group), for every grouped item.
    groups: HashMap<String, String>,
}

/// Scores for every item index after `history`, read back asynchronously
/// (the only readback that works in a browser).
async fn scores(compute: &Compute, history: &[u32]) -> Result<Vec<f32>> {
    let batch = pad_histories(&[history], compute.model.max_len());
    let scores = compute.model.score_next(history_tensor(&batch, &compute.device));
    let data = scores
        .into_data_async()
        .await
        .map_err(|e| VitrineError::Backend(format!("reading scores back failed: {e:?}")))?;
    data.convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| VitrineError::Backend(format!("unexpected score data: {e:?}")))
}

fn check_k(k: usize) -> Result<()> {
    if k == 0 || k > MAX_K {
        return Err(VitrineError::InvalidRequest(format!("k must be between 1 and {MAX_K}, got {k}")));
    }
    Ok(())
}
