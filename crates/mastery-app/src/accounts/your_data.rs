//! "Download my data": everything Mastery stores about one learner, as one JSON document
//! with a documented, versioned schema (`docs/your-data.md`). The document, its export and
//! the learner backup's restore live in [`crate::learner_data`]; this is the name the
//! account pages use.

pub use crate::learner_data::{SCHEMA, VERSION, export};
