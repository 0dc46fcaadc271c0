//! `/api/admin/bans`: site admins ban accounts from the whole site.

use chat_core::{input::BanReason, protocol::UserView, ErrorBody, UserId};
use poem_openapi::{param::Path, payload::Json, ApiResponse, Object, OpenApi, Tags};

use crate::{api::SessionAuth, AuthStore};

#[derive(Tags)]
enum ApiTags {
    /// What site admins (`ADMIN_USERS`) do.
    Admin,
}

/// Why an account is banned.
#[derive(Debug, Object)]
pub struct NewSiteBan {
    /// Shown to other site admins: up to 500 characters (stored trimmed), no control
    /// characters but line breaks.
    pub reason: BanReason,
}

/// A site ban.
#[derive(Debug, Clone, Object)]
pub struct SiteBanView {
    /// The banned account.
    pub user: UserView,
    /// The site admin who banned it.
    pub by: String,
    pub reason: String,
    /// When, in unix seconds.
    pub date: f64,
}

#[derive(ApiResponse)]
pub enum AdminResponse {
    /// Done: on a ban, every session of the account has ended (its sockets closed on every
    /// instance) and signing in is refused (403 `banned`) until it is lifted.
    #[oai(status = 204)]
    Done,
    /// The caller is not a site admin (`not_admin`), or the account is one (`outranked`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such account, or (lifting) no such ban.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum BansResponse {
    /// Every site ban, oldest first.
    #[oai(status = 200)]
    Ok(Json<Vec<SiteBanView>>),
    /// The caller is not a site admin (`not_admin`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
}

fn not_admin() -> Json<ErrorBody> {
    Json(ErrorBody::new("not_admin", "only site admins may do this"))
}

/// The site admins' API.
pub struct AdminApi {
    store: AuthStore,
}

impl AdminApi {
    pub fn new(store: AuthStore) -> Self {
        Self { store }
    }
}

#[OpenApi(prefix_path = "/api/admin", tag = "ApiTags::Admin")]
impl AdminApi {
    /// Ban an account from the site
    ///
    /// Site admins only. Every session of the account ends at once, on every instance, and
    /// signing in is refused until the ban is lifted. Its messages and memberships stay.
    #[oai(path = "/bans/:user_id", method = "put", operation_id = "siteBan")]
    async fn ban(
        &self,
        auth: SessionAuth,
        user_id: Path<UserId>,
        body: Json<NewSiteBan>,
    ) -> poem::Result<AdminResponse> {
        let me = auth.user_id();
        if !self.store.is_site_admin(me).await? {
            return Ok(AdminResponse::Forbidden(not_admin()));
        }
        let target = user_id.0;
        if !self.store.is_active(target).await? {
            return Ok(AdminResponse::NotFound(Json(ErrorBody::new(
                "not_found",
                "userId: no such user",
            ))));
        }
        if self.store.is_site_admin(target).await? {
            return Ok(AdminResponse::Forbidden(Json(ErrorBody::new(
                "outranked",
                "userId: a site admin is not banned (take them out of ADMIN_USERS first)",
            ))));
        }
        self.store
            .site_ban(me, target, body.reason.as_str())
            .await?;
        Ok(AdminResponse::Done)
    }

    /// Lift a site ban
    #[oai(
        path = "/bans/:user_id",
        method = "delete",
        operation_id = "liftSiteBan"
    )]
    async fn lift(&self, auth: SessionAuth, user_id: Path<UserId>) -> poem::Result<AdminResponse> {
        if !self.store.is_site_admin(auth.user_id()).await? {
            return Ok(AdminResponse::Forbidden(not_admin()));
        }
        Ok(if self.store.lift_site_ban(user_id.0).await? {
            AdminResponse::Done
        } else {
            AdminResponse::NotFound(Json(ErrorBody::new(
                "not_found",
                "userId: this account is not banned",
            )))
        })
    }

    /// Site bans
    #[oai(path = "/bans", method = "get", operation_id = "listSiteBans")]
    async fn list(&self, auth: SessionAuth) -> poem::Result<BansResponse> {
        if !self.store.is_site_admin(auth.user_id()).await? {
            return Ok(BansResponse::Forbidden(not_admin()));
        }
        let bans = self.store.site_bans().await?;
        let ids: Vec<UserId> = bans.iter().map(|(u, _)| *u).collect();
        let names = self.store.usernames(&ids).await?;
        Ok(BansResponse::Ok(Json(
            bans.into_iter()
                .zip(names)
                .map(|((user, ban), name)| SiteBanView {
                    user: UserView {
                        id: user.to_string(),
                        username: name.unwrap_or_default(),
                        online: false,
                    },
                    by: ban.by,
                    reason: ban.reason,
                    date: ban.date as f64 / 1000.0,
                })
                .collect(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem_openapi::types::ParseFromJSON;

    #[test]
    fn a_reason_must_be_a_short_string() {
        let parse = |v| NewSiteBan::parse_from_json(Some(v)).map(|b| b.reason.as_str().to_owned());
        assert_eq!(
            parse(serde_json::json!({"reason": " spam "})).unwrap(),
            "spam"
        );
        assert!(parse(serde_json::json!({"reason": true})).is_err());
        assert!(parse(serde_json::json!({"reason": "x".repeat(501)})).is_err());
        assert!(parse(serde_json::json!({})).is_err());
    }
}
