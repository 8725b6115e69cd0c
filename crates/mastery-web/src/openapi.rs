//! The JSON API under `/api/v1`: everything the pages do, described by the OpenAPI
//! document at `/api/v1/openapi.json`. Each feature registers its routes with their
//! documentation (utoipa-axum), so the document cannot drift from the real routes; this
//! module gathers them under one description and adds what every operation of a kind
//! answers ([`add_common_responses`]). `scripts/schemathesis` checks the document against
//! the running server, `docs/api.md` says how.
//!
//! State-changing requests need the `X-CSRF-Token` header: `GET /api/v1/session` returns
//! the token for the session cookie it sets.

use std::iter::once;
use std::mem::take;

use mastery_content::Level;
use mastery_study::interview::PRESETS;
use serde_json::Value;
use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder, Schema};
use utoipa_axum::router::OpenApiRouter;

use crate::error::ErrorBody;
use crate::state::AppState;
use crate::{
    accounts, community, guides, interviews, notifications, profiles, search, session, settings,
    stats, study, suggestions, teams,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Mastery API",
        version = "1",
        description = "Everything the Mastery pages do, as JSON. State-changing requests (PUT, POST) must send the `X-CSRF-Token` header with the token from `GET /api/v1/session`, and the session cookie that request set. Errors are `{\"error\": {\"status\", \"code\", \"message\"}}` (`ErrorBody`); every status an operation can answer is listed with it. Integer fields of request bodies accept whole numbers written as floats (`3.0`)."
    ),
    components(schemas(ErrorBody)),
    tags((name = "guides", description = "Guides and questions"), (name = "learner", description = "Marks and notes"), (name = "session", description = "CSRF token"), (name = "account", description = "The signed-in account (multi-user mode)"), (name = "study", description = "Spaced repetition"), (name = "community", description = "Discussion, votes, flags, moderation and suggested improvements (multi-user mode)"), (name = "teams", description = "Teams and cohorts: a coach's view of the members who share (multi-user mode)"))
)]
struct ApiDoc;

/// The operation ids that links between operations name, set explicitly on each operation
/// so that renaming a handler cannot break a link.
pub(crate) mod op {
    pub(crate) const GET_GUIDE: &str = "get_guide";
    pub(crate) const GET_QUESTION: &str = "get_question";
    pub(crate) const PUT_MARK: &str = "put_mark";
    pub(crate) const GET_NOTE: &str = "get_note";
    pub(crate) const PUT_NOTE: &str = "put_note";
    pub(crate) const STUDY_QUEUE: &str = "study_queue";
    pub(crate) const POST_REVIEW: &str = "post_review";
    pub(crate) const POST_UNDO: &str = "post_undo";
    pub(crate) const START: &str = "start";
    pub(crate) const STATE: &str = "state";
    pub(crate) const ANSWER: &str = "answer";
    pub(crate) const CORRECTIONS: &str = "corrections";
    pub(crate) const NEXT: &str = "next";
    pub(crate) const FINISH: &str = "finish";
    pub(crate) const REPORT: &str = "report";
    // Operations that never touch storage (so never answer 503).
    pub(crate) const SESSION: &str = "session";
    pub(crate) const PRESETS: &str = "presets";
}

/// The API routes of every feature, with their OpenAPI description.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    let mut router = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(session::api())
        .merge(accounts::api())
        .merge(community::api())
        .merge(guides::api())
        .merge(search::api())
        .merge(study::api())
        .merge(settings::api())
        .merge(stats::api())
        .merge(interviews::api())
        .merge(suggestions::api())
        .merge(notifications::api())
        .merge(profiles::api())
        .merge(teams::api());
    add_common_responses(router.get_openapi_mut());
    respell_links(router.get_openapi_mut());
    router
}

/// Why an operation answers a status that many operations share.
const WHY_400: &str = "Malformed request: a query string or JSON body that cannot be parsed, a \
    path segment that is not UTF-8, or a value the handler refuses (the message says which)";
const WHY_401_PUBLIC: &str = "Multi-user mode, on a private site: sign in first";
const WHY_401_LEARNER: &str =
    "Multi-user mode: sign in first (a learner reaches only their own data)";
const WHY_401_ACCOUNT: &str = "Not signed in";
const WHY_403: &str =
    "Missing or wrong `X-CSRF-Token`, no session cookie, or a request from another site";
const WHY_413: &str = "The body is larger than 640 KiB";
const WHY_415: &str = "The body was not sent as `Content-Type: application/json`";
const WHY_421: &str = "The `Host` header names a host this server does not answer to (plain \
    text; start it with `--allowed-host NAME`)";
const WHY_422: &str = "The JSON body does not match the schema: a missing or unknown field, a \
    value of the wrong type, a number out of range";
const WHY_500: &str = "An internal error (logged on the server; the message says no more)";
const WHY_503: &str = "The database is unavailable; try again in a moment";

/// An error response with the JSON error body.
fn error_body(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

/// Adds the statuses that every operation of a kind can answer, unless the operation lists
/// them itself (with a more precise description):
///
/// - every operation: 421 (the host check, before anything else; plain text) and 500;
/// - every operation but those that never touch storage: 503;
/// - PUT and POST: 403 (CSRF and cross-site checks) and 413 (the body limit), both checked
///   before the handler runs, body or not;
/// - with a JSON body: 400 (syntax), 415 (no JSON content type), 422 (not the schema);
/// - with a path or query parameter: 400 (a query string that does not parse, a path
///   segment that is not UTF-8).
fn add_common_responses(doc: &mut utoipa::openapi::OpenApi) {
    for (method, path, operation) in operations_with_paths(doc) {
        let access = access_of(method, &path);
        operation
            .extensions
            .get_or_insert_with(Default::default)
            .insert("x-access".to_owned(), Value::from(access));
        add(
            operation,
            "401",
            match access {
                "public" => WHY_401_PUBLIC,
                "account" | "moderator" => WHY_401_ACCOUNT,
                _ => WHY_401_LEARNER,
            },
        );
        if method != "get" {
            add(operation, "403", WHY_403);
            add(operation, "413", WHY_413);
        }
        let in_path_or_query = operation
            .parameters
            .iter()
            .flatten()
            .any(|p| matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query));
        if operation.request_body.is_some() || in_path_or_query {
            add(operation, "400", WHY_400);
        }
        if operation.request_body.is_some() {
            add(operation, "415", WHY_415);
            add(operation, "422", WHY_422);
        }
        operation
            .responses
            .responses
            .entry("421".into())
            .or_insert_with(|| {
                let text = ContentBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                    .build();
                RefOr::T(
                    ResponseBuilder::new()
                        .description(WHY_421)
                        .content("text/plain", text)
                        .build(),
                )
            });
        add(operation, "500", WHY_500);
        if !matches!(
            operation.operation_id.as_deref(),
            Some(op::SESSION | op::PRESETS)
        ) {
            add(operation, "503", WHY_503);
        }
    }
}

/// Writes each link's `operationId`, `operationRef` and `requestBody` as OpenAPI spells them:
/// utoipa 5.5 serialises these fields in snake case (juhaku/utoipa#1326), which no client
/// reads. A link's extensions are written as they are, so the fields move there.
fn respell_links(doc: &mut utoipa::openapi::OpenApi) {
    for (_, operation) in operations(doc) {
        for response in operation.responses.responses.values_mut() {
            let RefOr::T(response) = response else {
                continue;
            };
            for link in response.links.values_mut() {
                let RefOr::T(link) = link else { continue };
                let mut moved = Vec::new();
                if !link.operation_id.is_empty() {
                    moved.push(("operationId", Value::from(take(&mut link.operation_id))));
                }
                if !link.operation_ref.is_empty() {
                    moved.push(("operationRef", Value::from(take(&mut link.operation_ref))));
                }
                if let Some(body) = link.request_body.take() {
                    moved.push(("requestBody", body));
                }
                let extensions = link.extensions.get_or_insert_with(Default::default);
                for (key, value) in moved {
                    extensions.insert(key.to_owned(), value);
                }
            }
        }
    }
}

/// Who may call an operation (written into it as `x-access`):
///
/// - `public`: anyone; on a private multi-user site, signed-in accounts only;
/// - `learner`: the learner of a personal server, or a signed-in account, acting on their
///   own data only;
/// - `account`: a signed-in account (multi-user mode; 404 on a personal server);
/// - `moderator`: a signed-in moderator or admin (others: 403; 404 on a personal server).
///
/// The handlers enforce it with the extractors of `access`; the walk over every route in
/// `tests/roles.rs` checks that both agree.
pub(crate) fn access_of(method: &str, path: &str) -> &'static str {
    let public_read = method == "get"
        && (path.starts_with("/api/v1/guides") && !path.ends_with("/note")
            || path.starts_with("/api/v1/search")
            || path == "/api/v1/interviews/presets"
            || path.starts_with("/api/v1/threads")
            || path.starts_with("/api/v1/posts")
            || path.starts_with("/api/v1/suggestions")
            || path.starts_with("/api/v1/members")
            || path == "/api/v1/leaderboard"
            || path == "/api/v1/community/rules");
    let community_write = method != "get"
        && (path.starts_with("/api/v1/threads")
            || path.starts_with("/api/v1/posts")
            || path.starts_with("/api/v1/suggestions")
            || path.ends_with("/threads"));
    let moderating = path.starts_with("/api/v1/moderation") && path != "/api/v1/moderation/log"
        || path.ends_with("/decision");
    if moderating {
        "moderator"
    } else if path.starts_with("/api/v1/account")
        || path.starts_with("/api/v1/teams")
        || path.starts_with("/api/v1/notifications")
        || community_write
        || path == "/api/v1/moderation/log"
    {
        "account"
    } else if public_read || path == "/api/v1/session" {
        "public"
    } else {
        "learner"
    }
}

/// Every operation with its method and path.
fn operations_with_paths(
    doc: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = (&'static str, String, &mut Operation)> {
    doc.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
        ]
        .into_iter()
        .filter_map(move |(method, op)| op.as_mut().map(|op| (method, path.clone(), op)))
    })
}

/// Every operation of the document with its method (the API uses these four).
fn operations(
    doc: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    doc.paths.paths.values_mut().flat_map(|item| {
        [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
        ]
        .into_iter()
        .filter_map(|(method, op)| op.as_mut().map(|op| (method, op)))
    })
}

fn add(operation: &mut Operation, status: &str, why: &str) {
    operation
        .responses
        .responses
        .entry(status.into())
        .or_insert_with(|| RefOr::T(error_body(why)));
}

/// Sources of truth for the document: schemas built from the lists the server checks
/// against, so they cannot drift apart.
pub(crate) mod schemas {
    use super::*;

    fn level_names() -> impl Iterator<Item = Value> {
        Level::ALL.into_iter().map(|l| Value::from(l.as_str()))
    }

    /// A `level` filter: a level name, or empty for every level.
    pub(crate) fn level_filter() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(once(Value::from("")).chain(level_names())))
            .description(Some(
                "Only this level: `junior`, `confirmed` or `senior` (empty: every level)",
            ))
            .into()
    }

    /// The levels of a custom interview.
    pub(crate) fn levels() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(level_names())),
            )
            .description(Some(
                "Levels to ask (`junior`, `confirmed`, `senior`); empty or absent for every level.",
            ))
            .build()
            .into()
    }

    /// The rule of a guide, section or question id (`mastery_content::Id`): lowercase
    /// letters, digits and single hyphens, starting with a letter, at most 64 characters. The
    /// attributes that cannot call a function repeat it.
    pub(crate) const ID_PATTERN: &str = "^[a-z](?:-?[a-z0-9])*$";

    /// The sections of a custom interview.
    pub(crate) fn section_ids() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(ID_PATTERN))
                    .max_length(Some(mastery_content::Id::MAX_LEN)),
            )
            .description(Some(
                "Section ids to ask; empty or absent for every section (an unknown one: 404).",
            ))
            .build()
            .into()
    }

    /// A preset id (or `null`, with `custom`).
    pub(crate) fn preset() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .enum_values(Some(
                PRESETS
                    .iter()
                    .map(|p| Value::from(p.id))
                    .chain(once(Value::Null)),
            ))
            .description(Some(
                "A preset id from `GET /api/v1/interviews/presets` (instead of `custom`).",
            ))
            .into()
    }

    /// The preset ids, for the `oneOf` of a start request.
    pub(crate) fn preset_ids() -> Value {
        PRESETS.iter().map(|p| Value::from(p.id)).collect()
    }

    /// `schema` (an object) with `oneOf` beside its properties: the body must match exactly
    /// one of `branches`. utoipa's `Object` has no `oneOf` of its own; its extensions are
    /// written into the schema as they are, so the keyword goes there.
    pub(crate) fn with_one_of(schema: RefOr<Schema>, branches: Value) -> RefOr<Schema> {
        match schema {
            RefOr::T(Schema::Object(mut object)) => {
                object
                    .extensions
                    .get_or_insert_with(Default::default)
                    .insert("oneOf".into(), branches);
                RefOr::T(Schema::Object(object))
            }
            other => other,
        }
    }
}

/// A type for the document only: `$body`'s schema, under its name, with a `oneOf` of
/// `$branches` beside its properties (a rule of the handler that no field attribute can
/// say, such as "exactly one of these two fields"). Use it as `request_body = $name`; the
/// handler keeps extracting `$body`.
macro_rules! one_of_body {
    ($(#[$doc:meta])* $name:ident = $body:ty, $branches:expr) => {
        $(#[$doc])*
        struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
                $crate::openapi::schemas::with_one_of(
                    <$body as utoipa::PartialSchema>::schema(),
                    $branches,
                )
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                <$body as utoipa::ToSchema>::name()
            }

            fn schemas(
                schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>,
            ) {
                <$body as utoipa::ToSchema>::schemas(schemas);
            }
        }
    };
}
pub(crate) use one_of_body;

#[cfg(test)]
mod tests {
    use mastery_content::Id;
    use mastery_storage::{MAX_INTERVIEW_ID_LEN, MAX_NOTE_BYTES};
    use mastery_study::interview::lineup::{
        MAX_MINUTES_PER_QUESTION, MAX_QUESTIONS, MIN_MINUTES_PER_QUESTION,
    };
    use mastery_study::interview::session::MAX_ANSWER_CHARS;
    use mastery_study::scheduler::day::MAX_UTC_OFFSET_MINUTES;
    use mastery_study::scheduler::settings::DESIRED_RETENTION_RANGE;
    use serde_json::{Value, json};

    use crate::settings::api::decimal;
    use crate::whole::MAX_SAFE_INTEGER;

    fn document() -> Value {
        serde_json::to_value(super::router().into_openapi()).unwrap()
    }

    /// The limits written in the attributes are the constants the server checks against.
    #[test]
    fn the_documented_limits_are_the_servers() {
        let doc = document();
        let schema = |name: &str, field: &str| {
            doc["components"]["schemas"][name]["properties"][field].clone()
        };
        let param = |path: &str, method: &str, name: &str| {
            doc["paths"][path][method]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap()["schema"]
                .clone()
        };
        let custom = |field| schema("CustomBody", field);
        assert_eq!(custom("questions")["minimum"], 1);
        assert_eq!(custom("questions")["maximum"], json!(MAX_QUESTIONS));
        assert_eq!(
            custom("minutes_per_question")["minimum"],
            json!(MIN_MINUTES_PER_QUESTION)
        );
        assert_eq!(
            custom("minutes_per_question")["maximum"],
            json!(MAX_MINUTES_PER_QUESTION)
        );
        assert_eq!(
            schema("AnswerBody", "text")["maxLength"],
            json!(MAX_ANSWER_CHARS)
        );
        assert_eq!(
            schema("NoteBody", "body")["maxLength"],
            json!(MAX_NOTE_BYTES)
        );
        for (name, field) in [
            ("AnswerBody", "item"),
            ("CorrectionBody", "item"),
            ("CorrectionBody", "key_point"),
        ] {
            assert_eq!(
                schema(name, field)["maximum"],
                json!(MAX_SAFE_INTEGER),
                "{name}.{field}"
            );
        }
        assert_eq!(
            param("/api/v1/interviews/{id}/next", "post", "item")["maximum"],
            json!(MAX_SAFE_INTEGER)
        );
        let settings = |field| schema("StudySettingsDto", field);
        assert_eq!(
            settings("utc_offset_minutes")["maximum"],
            json!(MAX_UTC_OFFSET_MINUTES)
        );
        assert_eq!(
            settings("utc_offset_minutes")["minimum"],
            json!(-MAX_UTC_OFFSET_MINUTES)
        );
        let retention = |bound: &str| settings("desired_retention")[bound].as_f64().unwrap();
        assert_eq!(
            (retention("minimum"), retention("maximum")),
            (
                decimal(*DESIRED_RETENTION_RANGE.start()),
                decimal(*DESIRED_RETENTION_RANGE.end())
            )
        );
        let review_id = schema("ReviewBody", "review_id");
        assert_eq!(
            (
                review_id["minLength"].clone(),
                review_id["maxLength"].clone()
            ),
            (
                json!(mastery_storage::study::MIN_REVIEW_ID_LEN),
                json!(mastery_storage::study::MAX_REVIEW_ID_LEN)
            )
        );
        // Every guide, section or question id follows `mastery_content::Id`.
        let id = json!({"type": "string", "pattern": super::schemas::ID_PATTERN, "maxLength": Id::MAX_LEN});
        let mut ids = vec![
            schema("ReviewBody", "guide"),
            schema("ReviewBody", "question"),
            schema("StartBody", "guide"),
            custom("sections")["items"].clone(),
        ];
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    if p["in"] == "path" && (p["name"] == "guide" || p["name"] == "question") {
                        ids.push(p["schema"].clone());
                    }
                }
            }
        }
        assert_eq!(ids.len(), 4 + 2 * 7 - 1);
        for mut schema in ids {
            schema.as_object_mut().unwrap().remove("description");
            assert_eq!(schema, id);
        }
        assert_eq!(
            param("/api/v1/interviews/{id}", "get", "id")["pattern"],
            json!(format!("^[A-Za-z0-9_-]{{1,{MAX_INTERVIEW_ID_LEN}}}$"))
        );
    }

    /// Every operation lists the statuses it shares with its kind, with the error body, and
    /// every link names an operation of the document.
    #[test]
    fn shared_statuses_and_links_are_complete() {
        let doc = document();
        let mut ids = Vec::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                ids.push(op["operationId"].as_str().unwrap().to_owned());
            }
        }
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                let mut expected = vec!["421", "500"];
                if matches!(method.as_str(), "put" | "post") {
                    expected.extend(["403", "413"]);
                }
                if op.get("requestBody").is_some() {
                    expected.extend(["400", "415", "422"]);
                }
                for status in expected {
                    assert!(responses.contains_key(status), "{method} {path}: {status}");
                }
                for (status, response) in responses {
                    if (status.starts_with('4') && status != "421") || status.starts_with('5') {
                        assert_eq!(
                            response["content"]["application/json"]["schema"]["$ref"],
                            "#/components/schemas/ErrorBody",
                            "{method} {path}: {status}"
                        );
                    }
                    for (name, link) in response["links"].as_object().into_iter().flatten() {
                        let target = link["operationId"].as_str().unwrap();
                        assert!(
                            ids.iter().any(|id| id == target),
                            "{method} {path}: link {name} to {target}"
                        );
                    }
                }
            }
        }
        let start = &doc["components"]["schemas"]["StartBody"];
        assert_eq!(start["oneOf"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            start["oneOf"][0]["properties"]["preset"]["enum"],
            json!([
                "recruiter-screen",
                "senior-python-internals",
                "django-architecture-scaling"
            ])
        );
        assert_eq!(
            doc["components"]["schemas"]["AnswerBody"]["oneOf"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
    }
}
