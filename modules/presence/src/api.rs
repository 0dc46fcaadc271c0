//! `/api/users/*`.

use chat_auth::{LoginName, SessionAuth};
use chat_core::{
    input::string_schema, protocol::UserView, scan::ScanCursor, ErrorBody, Rejection, TextInput,
    UserId,
};
use poem_openapi::{param::Query, payload::Json, registry::MetaSchema, ApiResponse, OpenApi, Tags};

use crate::{store::OnlineCursor, PresenceStore};

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

/// Where a page of online users goes on: `cursor` of the previous page's `Link`.
impl TextInput for OnlineCursor {
    const NAME: &'static str = "OnlineCursor";

    fn schema() -> MetaSchema {
        string_schema(
            "Where the next page of online users starts: the `cursor` of the previous \
             page's `Link: <…>; rel=\"next\"` header.",
            Some(3),
            Some(39),
            Some(ScanCursor::PATTERN),
        )
    }

    fn parse(s: &str) -> Result<Self, Rejection> {
        let c = ScanCursor::parse(s).ok_or((
            "invalid_cursor",
            "cursor: the `cursor` of a previous page's Link header",
        ))?;
        Ok(Self {
            scan: c.scan,
            skip: c.skip,
        })
    }

    fn to_text(&self) -> String {
        format!("{}.{}", self.scan, self.skip)
    }
}
chat_core::text_input!(OnlineCursor);

/// A page of online users, and where the next one is.
#[derive(ApiResponse)]
pub enum OnlinePage {
    /// Online users (each once on a page; order unspecified). `Link: </api/users/online?
    /// limit=…&cursor=…>; rel="next"` names the next page; the last page has no `Link`.
    #[oai(status = 200)]
    Ok(Json<Vec<UserView>>, #[oai(header = "Link")] Option<String>),
}

/// Most users one page of online users holds.
pub const MAX_ONLINE_PAGE: u32 = 1000;

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
    /// Users with at least one open connection on any instance, a page at a time: `limit`
    /// users (default 200), and a `Link` header to the next page while there is one. A user
    /// online throughout the paging is on some page (possibly twice); live changes arrive
    /// as `user.connected` and `user.disconnected` on the WebSocket.
    #[oai(path = "/online", method = "get", operation_id = "onlineUsers")]
    async fn online(
        &self,
        _auth: SessionAuth,
        /// Users per page (default 200).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
        /// The `cursor` of the previous page's `Link` header.
        cursor: Query<Option<OnlineCursor>>,
    ) -> poem::Result<OnlinePage> {
        let limit = limit.0.unwrap_or(200).clamp(1, MAX_ONLINE_PAGE);
        let (ids, next) = self
            .store
            .online_page(cursor.0.unwrap_or_default(), limit as usize)
            .await?;
        let link = next.map(|c| {
            format!(
                "</api/users/online?limit={limit}&cursor={}>; rel=\"next\"",
                c.to_text()
            )
        });
        Ok(OnlinePage::Ok(Json(self.store.views(&ids).await?), link))
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

    /// Find a user by name
    ///
    /// The account with this username, ignoring case (to invite or ban someone by name).
    #[oai(path = "/lookup", method = "get", operation_id = "findUser")]
    async fn lookup(&self, _auth: SessionAuth, name: Query<LoginName>) -> poem::Result<Found> {
        let found = match self.store.auth().find_user(name.0.as_str()).await? {
            Some(id) => self.store.views(&[id]).await?.pop(),
            None => None,
        };
        Ok(match found {
            Some(view) => Found::Ok(Json(view)),
            None => Found::NotFound(Json(ErrorBody::new("not_found", "name: no such user"))),
        })
    }
}

/// A user found by name, or not.
#[derive(ApiResponse)]
pub enum Found {
    /// The user.
    #[oai(status = 200)]
    Ok(Json<UserView>),
    /// No account has this name.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}
