//! The library's error type: one enum, one variant per thing that can go wrong
//! for a caller, each with a message that says what to fix.

use thiserror::Error;

/// Every failure the library reports. The browser engine turns these into
/// JavaScript errors whose `name` is the variant (see `VitrineError::kind`).
#[derive(Debug, Error)]
pub enum VitrineError {
    /// An input file (sequences, events, catalog) could not be parsed.
    #[error("malformed {what} at line {line}: {reason}")]
    Malformed {
        what: &'static str,
        line: usize,
        reason: String,
    },

    /// A catalog was rejected as a whole (empty, duplicate ids, bad JSON, ...).
    #[error("malformed catalog: {0}")]
    Catalog(String),

    /// The weights file does not hash to the sha256 its card promises.
    #[error("model file sha256 mismatch: card says {expected}, file hashes to {actual}; the file is corrupted or belongs to another card")]
    ChecksumMismatch { expected: String, actual: String },

    /// The weights could not be decoded, or do not fit the architecture in the card.
    #[error("model file is corrupted or does not match its card: {0}")]
    CorruptModel(String),

    /// The card itself is unreadable or inconsistent.
    #[error("model card is invalid: {0}")]
    InvalidCard(String),

    /// A request referenced item ids the model does not know, and none it does.
    #[error("none of the {count} history ids are known to this model (first: {first:?})")]
    UnknownIds { count: usize, first: String },

    /// A request was out of range (k = 0, an empty data set, ...).
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// A photo or garment image could not be used (not an image, wrong size, empty mask).
    #[error("unusable image: {0}")]
    InvalidImage(String),

    /// The parser found no person in the photo (too few confident body pixels).
    #[error("no person found in the photo (body-part confidence {confidence:.2}, need {needed:.2}): use a photo of one person, head to hips, facing the camera")]
    NoPerson { confidence: f32, needed: f32 },

    /// The compute backend failed (device lost, readback failed).
    #[error("compute backend failed: {0}")]
    Backend(String),

    #[error("i/o error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl VitrineError {
    /// A stable machine-readable name for the error, used as the JS error `name`.
    pub fn kind(&self) -> &'static str {
        match self {
            VitrineError::Malformed { .. } => "MalformedInput",
            VitrineError::Catalog(_) => "MalformedCatalog",
            VitrineError::ChecksumMismatch { .. } => "ChecksumMismatch",
            VitrineError::CorruptModel(_) => "CorruptModel",
            VitrineError::InvalidCard(_) => "InvalidCard",
            VitrineError::UnknownIds { .. } => "UnknownIds",
            VitrineError::InvalidRequest(_) => "InvalidRequest",
            VitrineError::InvalidImage(_) => "InvalidImage",
            VitrineError::NoPerson { .. } => "NoPerson",
            VitrineError::Backend(_) => "BackendError",
            VitrineError::Io { .. } => "IoError",
        }
    }

    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        VitrineError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

pub type Result<T, E = VitrineError> = std::result::Result<T, E>;
