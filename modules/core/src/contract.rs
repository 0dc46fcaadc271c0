//! The answers the HTTP layer gives for every operation, declared once for all of them.
//!
//! Each module's operations declare their own answers. Some come from the layer around
//! them, before a handler runs: 401 for an operation that needs a session, 400 for a
//! parameter or body that does not fit its schema, 413 and 415 for a JSON body that is too
//! large or not JSON, 405 (with `Allow`) for a method the path does not have. [`Contract`]
//! wraps the modules' APIs and adds exactly those to the document, reading each operation's
//! own declaration (its security, parameters and body), and answers undeclared methods.

use std::{collections::HashMap, marker::PhantomData};

use poem::{endpoint::BoxEndpoint, http::Method, EndpointExt, Response};
use poem_openapi::{
    registry::{MetaApi, MetaMediaType, MetaOperation, MetaParamIn, MetaResponse, Registry},
    types::Type,
    OpenApi,
};

use crate::ErrorBody;

/// The modules' APIs, with the HTTP layer's answers declared and undeclared methods
/// answered with 405 and `Allow`.
pub struct Contract<A>(pub A);

/// Largest request body; a larger one is refused with 413 before it is read.
pub const MAX_BODY: u64 = 64 * 1024;

/// The content type of every error body (as `Json<ErrorBody>` declares it).
const JSON: &str = "application/json; charset=utf-8";

fn error_response(status: u16, description: &'static str) -> MetaResponse {
    MetaResponse {
        description,
        status: Some(status),
        status_range: None,
        content: vec![MetaMediaType {
            content_type: JSON,
            schema: ErrorBody::schema_ref(),
        }],
        headers: vec![],
    }
}

/// Path parameters refused with 400 when they do not fit their schema (the others name a
/// resource: 404). A user id is checked as it is in a body (`invalid_user_id`).
const PATH_PARAMS_CHECKED: &[&str] = &["emoji", "user_id"];

/// Adds the layer's answers an operation can get, unless it declares that status itself.
fn complete(op: &mut MetaOperation) {
    let mut add = |status: u16, description: &'static str| {
        if !op
            .responses
            .responses
            .iter()
            .any(|r| r.status == Some(status))
        {
            op.responses
                .responses
                .push(error_response(status, description));
        }
    };
    // A malformed room or message id is answered 404 (it names no room or message), not
    // 400; a malformed emoji or user id is a bad request.
    let checked_params = op
        .params
        .iter()
        .any(|p| p.in_type != MetaParamIn::Path || PATH_PARAMS_CHECKED.contains(&p.name.as_str()));
    if checked_params || op.request.is_some() {
        add(
            400,
            "A parameter or the body does not fit its schema; `message` names it.",
        );
    }
    if !op.security.is_empty() {
        add(401, "Not signed in, or the session expired.");
    }
    if op.request.is_some() {
        add(413, "The body is larger than 64 KiB.");
        add(415, "The body is not `application/json`.");
    }
    op.responses.responses.sort_by_key(|r| r.status);
}

/// Methods a client may try on a path; those it does not declare answer 405.
fn undeclared_candidates() -> impl Iterator<Item = Method> {
    [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::TRACE,
    ]
    .into_iter()
    // RFC 9110's newcomer for safe queries with a body.
    .chain(Method::from_bytes(b"QUERY").ok())
}

fn not_allowed(allow: String) -> BoxEndpoint<'static> {
    poem::endpoint::make_sync(move |_| {
        let body = serde_json::to_string(&ErrorBody::new(
            "method_not_allowed",
            format!("this path allows {allow}"),
        ))
        .unwrap_or_default();
        Response::builder()
            .status(poem::http::StatusCode::METHOD_NOT_ALLOWED)
            .header(poem::http::header::ALLOW, allow.clone())
            .content_type(JSON)
            .body(body)
    })
    .boxed()
}

impl<A: OpenApi> OpenApi for Contract<A> {
    fn meta() -> Vec<MetaApi> {
        let mut apis = A::meta();
        for op in apis
            .iter_mut()
            .flat_map(|api| api.paths.iter_mut())
            .flat_map(|path| path.operations.iter_mut())
        {
            complete(op);
        }
        apis
    }

    fn register(registry: &mut Registry) {
        A::register(registry);
        ErrorBody::register(registry);
    }

    fn add_routes(self, table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        self.0.add_routes(table);
        for methods in table.values_mut() {
            let mut allowed: Vec<&str> = methods.keys().map(Method::as_str).collect();
            if methods.contains_key(&Method::GET) {
                allowed.push("HEAD");
            }
            allowed.sort_unstable();
            let allow = allowed.join(", ");
            for method in undeclared_candidates() {
                methods
                    .entry(method)
                    .or_insert_with(|| not_allowed(allow.clone()));
            }
        }
    }
}

/// The document of `A` without an instance of it: nothing is routed, so nothing the APIs
/// hold (stores, a Redis pool) is needed to print it.
pub struct Described<A>(PhantomData<A>);

impl<A> Default for Described<A> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<A: OpenApi> OpenApi for Described<A> {
    fn meta() -> Vec<MetaApi> {
        A::meta()
    }

    fn register(registry: &mut Registry) {
        A::register(registry);
    }

    fn add_routes(self, _: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {}
}
