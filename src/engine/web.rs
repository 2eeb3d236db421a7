//! wasm-bindgen façade: JS in, JS out, errors as `Error` objects whose
//! `name` is the typed error kind (`ChecksumMismatch`, `CorruptModel`, ...).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{BackendChoice, Recommender};
use crate::error::VitrineError;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    super::device::run_static_constructors_once();
}

/// A JS `Error` with `name` set to the error kind, so pages can branch on it.
pub(crate) fn js_error(err: VitrineError) -> JsValue {
    let e = js_sys::Error::new(&err.to_string());
    e.set_name(err.kind());
    e.into()
}

fn request_error(message: String) -> JsValue {
    js_error(VitrineError::InvalidRequest(message))
}

/// An optional JS array of id strings (undefined/null = none).
fn ids_or_empty(value: JsValue) -> Result<Vec<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| request_error(format!("exclude must be an array of id strings: {e}")))
}

/// The catalog check alone, for the page's popular list when the model
/// cannot run: `{currency, items, warning}` with only the valid items in
/// stock (the same check `Engine.setCatalog` applies).
#[wasm_bindgen(js_name = checkCatalog)]
pub fn check_catalog(catalog_json: &str) -> Result<JsValue, JsValue> {
    let (catalog, report) = crate::data::Catalog::from_json(catalog_json).map_err(js_error)?;
    let in_stock: Vec<_> = catalog.items.into_iter().filter(|item| item.available).collect();
    let checked = serde_json::json!({ "currency": catalog.currency, "items": in_stock, "warning": report.warning() });
    checked.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| js_error(VitrineError::Backend(e.to_string())))
}

#[wasm_bindgen]
pub struct Engine {
    inner: Recommender,
}

#[wasm_bindgen]
impl Engine {
    /// Build the engine from the card's JSON text and the weights' bytes.
    /// `backend` is "auto" (WebGPU, else CPU), "webgpu" or "cpu";
    /// `weights_sha256`, when given, is the bytes' digest the page computed
    /// (SubtleCrypto), checked against the card instead of hashing in wasm.
    pub async fn load(card_json: String, weights: Vec<u8>, backend: String, weights_sha256: Option<String>) -> Result<Engine, JsValue> {
        let choice = BackendChoice::parse(&backend)
            .ok_or_else(|| request_error(format!("backend must be auto, webgpu or cpu, not {backend:?}")))?;
        let inner = Recommender::load_with_digest(&card_json, weights, weights_sha256.as_deref(), choice).await.map_err(js_error)?;
        Ok(Engine { inner })
    }

    /// "webgpu" or "cpu": where inference runs now.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.inner.backend().name().into()
    }

    /// Why WebGPU is not used, when it was wanted.
    #[wasm_bindgen(getter, js_name = fallbackReason)]
    pub fn fallback_reason(&self) -> Option<String> {
        self.inner.fallback_reason()
    }

    /// Number of items in the model.
    #[wasm_bindgen(getter, js_name = itemCount)]
    pub fn item_count(&self) -> usize {
        self.inner.card().items.len()
    }

    /// Attach the store's catalog JSON (invalid items are left out, items
    /// out of stock never shown). Returns `{covered, kept, unavailable,
    /// dropped, warning, problems: [{row, kind, message}]}`.
    #[wasm_bindgen(js_name = setCatalog)]
    pub fn set_catalog(&mut self, catalog_json: &str) -> Result<JsValue, JsValue> {
        let summary = self.inner.set_catalog(catalog_json).map_err(js_error)?;
        serde_wasm_bindgen::to_value(&summary).map_err(|e| js_error(VitrineError::Backend(e.to_string())))
    }

    /// Recommend `k` items after `history` (an array of id strings, oldest first).
    /// Resolves to `{backend, cold_start, unknown_ids, items: [{id, score, item?}]}`.
    pub async fn recommend(&self, history: JsValue, k: usize) -> Result<JsValue, JsValue> {
        let history: Vec<String> = serde_wasm_bindgen::from_value(history)
            .map_err(|e| request_error(format!("history must be an array of id strings: {e}")))?;
        let result = self.inner.recommend(&history, k).await.map_err(js_error)?;
        serde_wasm_bindgen::to_value(&result).map_err(|e| js_error(VitrineError::Backend(e.to_string())))
    }

    /// Items most like `id` by the trained embeddings, never `id` or `exclude` (array of ids).
    pub fn similar(&self, id: String, exclude: JsValue, k: usize) -> Result<JsValue, JsValue> {
        let exclude = ids_or_empty(exclude)?;
        let result = self.inner.similar(&id, &exclude, k).map_err(js_error)?;
        serde_wasm_bindgen::to_value(&result).map_err(|e| js_error(VitrineError::Backend(e.to_string())))
    }

    /// Attach the card's bought-together file (bytes; checked against the card's sha256).
    #[wasm_bindgen(js_name = setBoughtTogether)]
    pub fn set_bought_together(&mut self, bytes: Vec<u8>) -> Result<usize, JsValue> {
        self.inner.set_bought_together(&bytes).map_err(js_error)
    }

    /// Items often bought with `id`, never `id` or `exclude` (array of ids).
    #[wasm_bindgen(js_name = boughtTogether)]
    pub fn bought_together(&self, id: String, exclude: JsValue, k: usize) -> Result<JsValue, JsValue> {
        let exclude = ids_or_empty(exclude)?;
        let result = self.inner.bought_together(&id, &exclude, k).map_err(js_error)?;
        serde_wasm_bindgen::to_value(&result).map_err(|e| js_error(VitrineError::Backend(e.to_string())))
    }

    /// Catalog entries for ids (array of strings), in order, skipping unlisted ones.
    pub fn lookup(&self, ids: JsValue) -> Result<JsValue, JsValue> {
        let ids: Vec<String> =
            serde_wasm_bindgen::from_value(ids).map_err(|e| request_error(format!("ids must be an array of id strings: {e}")))?;
        serde_wasm_bindgen::to_value(&self.inner.lookup(&ids)).map_err(|e| js_error(VitrineError::Backend(e.to_string())))
    }

    /// The card's popular items (what a shopper with no history sees).
    pub fn popular(&self, k: usize) -> Result<JsValue, JsValue> {
        serde_wasm_bindgen::to_value(&self.inner.popular(k)).map_err(|e| js_error(VitrineError::Backend(e.to_string())))
    }

    /// Compile kernels once, before the shopper's first request.
    #[wasm_bindgen(js_name = warmUp)]
    pub async fn warm_up(&self) -> Result<(), JsValue> {
        self.inner.warm_up().await.map_err(js_error)
    }
}
