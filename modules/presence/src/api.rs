//! `/api/users/*`.

use chat_auth::SessionAuth;
use chat_core::{input::string_schema, protocol::UserView, Rejection, TextInput, UserId};
use poem_openapi::{param::Query, payload::Json, registry::MetaSchema, OpenApi, Tags};

use crate::PresenceStore;

#[derive(Tags)]
enum ApiTags {
    /// Users and who is online.
    Users,
}

/// Most users one lookup may name.
const MAX_IDS: usize = 100;

/// Comma-separated user ids, 1 to 100 of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserIds(Vec<UserId>);

impl TextInput for UserIds {
    const NAME: &'static str = "UserIds";

    fn schema() -> MetaSchema {
        string_schema(
            "1 to 100 user ids, separated by commas.",
            Some(1),
            None,
            Some("^[0-9]{1,19}(,[0-9]{1,19}){0,99}$"),
        )
    }

    fn parse(s: &str) -> Result<Self, Rejection> {
        const REFUSED: Rejection = ("invalid_ids", "ids: 1 to 100 comma-separated user ids");
        let ids = s
            .split(',')
            .map(|id| match id.len() {
                1..=19 => id.parse::<UserId>().map_err(|()| REFUSED),
                _ => Err(REFUSED),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if ids.len() > MAX_IDS {
            return Err(REFUSED);
        }
        Ok(Self(ids))
    }

    fn to_text(&self) -> String {
        let ids: Vec<String> = self.0.iter().map(UserId::to_string).collect();
        ids.join(",")
    }
}
chat_core::text_input!(UserIds);

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
    async fn users(
        &self,
        _auth: SessionAuth,
        ids: Query<UserIds>,
    ) -> poem::Result<Json<Vec<UserView>>> {
        Ok(Json(self.store.views(&ids.0 .0).await?))
    }
}
