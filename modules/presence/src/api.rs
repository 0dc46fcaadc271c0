//! `/api/users/*`.

use chat_auth::SessionAuth;
use chat_core::{protocol::UserView, ErrorBody, UserId};
use poem_openapi::{param::Query, payload::Json, ApiResponse, OpenApi, Tags};

use crate::PresenceStore;

#[derive(Tags)]
enum ApiTags {
    /// Users and who is online.
    Users,
}

#[derive(ApiResponse)]
pub enum UsersResponse {
    /// The users, with their online state.
    #[oai(status = 200)]
    Ok(Json<Vec<UserView>>),
    /// `ids` is malformed: comma-separated user ids, at most 100.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
}

/// The presence module's API.
pub struct PresenceApi {
    store: PresenceStore,
}

impl PresenceApi {
    pub fn new(store: PresenceStore) -> Self {
        Self { store }
    }
}

#[OpenApi(prefix_path = "/api/users", tag = "ApiTags::Users")]
impl PresenceApi {
    /// Users online now
    ///
    /// Every user with at least one open connection on any instance.
    #[oai(path = "/online", method = "get", operation_id = "onlineUsers")]
    async fn online(&self, _auth: SessionAuth) -> poem::Result<Json<Vec<UserView>>> {
        let ids = self.store.online().await?;
        Ok(Json(self.store.views(&ids).await?))
    }

    /// Look up users
    ///
    /// `ids` is a comma-separated list of user ids (at most 100); unknown ids are left out.
    #[oai(path = "/", method = "get", operation_id = "users")]
    async fn users(&self, _auth: SessionAuth, ids: Query<String>) -> poem::Result<UsersResponse> {
        let parsed: Result<Vec<UserId>, ()> = ids
            .0
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse())
            .collect();
        match parsed {
            Ok(ids) if !ids.is_empty() && ids.len() <= 100 => {
                Ok(UsersResponse::Ok(Json(self.store.views(&ids).await?)))
            }
            _ => Ok(UsersResponse::BadRequest(Json(ErrorBody::new(
                "invalid_ids",
                "ids: 1 to 100 comma-separated user ids",
            )))),
        }
    }
}
