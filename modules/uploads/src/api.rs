//! `POST /api/rooms/{id}/uploads`, `GET /api/uploads/{id}` and
//! `GET /api/uploads/{id}/thumbnail`.

use chat_auth::SessionAuth;
use chat_core::{protocol::Attachment, ErrorBody, Failure, RoomId};
use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};

use futures_util::StreamExt as _;
use poem::{
    http::{header, HeaderValue, StatusCode},
    web::Multipart,
    Body, FromRequest, IntoResponse, Request, RequestBody, Response,
};
use poem_openapi::{
    param::Path,
    payload::{Json, ParsePayload, Payload},
    registry::{MetaSchema, MetaSchemaRef, Registry},
    ApiResponse, OpenApi, Tags,
};

use crate::{store::UploadError, UploadsStore};

#[derive(Tags)]
enum ApiTags {
    /// Files sent with messages.
    Uploads,
}

/// A `multipart/form-data` body, read field by field as it arrives (never whole). What the
/// form parser may read is bounded: [`PREAMBLE`] bytes until the file's part begins (the
/// parser buffers what comes before it), then [`UploadForm::allow`] more.
pub struct UploadForm {
    form: Multipart,
    allowed: Arc<AtomicU64>,
}

/// What may come before the file's bytes: the boundary, the part's headers, and the
/// first chunk of the file that arrives with them.
const PREAMBLE: u64 = 1 << 20;

impl UploadForm {
    /// Lets the body run to `bytes` in all.
    fn allow(&self, bytes: u64) {
        self.allowed.store(bytes, Ordering::Relaxed);
    }
}

impl Payload for UploadForm {
    const CONTENT_TYPE: &'static str = "multipart/form-data";

    fn check_content_type(content_type: &str) -> bool {
        content_type
            .split(';')
            .next()
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(Self::CONTENT_TYPE))
    }

    /// One field, `file` (other fields are ignored, and not part of the contract).
    fn schema_ref() -> MetaSchemaRef {
        let file = MetaSchema {
            description: Some("The file (its name is kept; its type is found from its content)."),
            ..MetaSchema::new_with_format("string", "binary")
        };
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            required: vec!["file"],
            properties: vec![("file", MetaSchemaRef::Inline(Box::new(file)))],
            max_properties: Some(1),
            ..MetaSchema::new("object")
        }))
    }
}

impl ParsePayload for UploadForm {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let allowed = Arc::new(AtomicU64::new(PREAMBLE));
        let limit = Arc::clone(&allowed);
        let counted = body
            .take()?
            .into_bytes_stream()
            .scan(0u64, move |seen, chunk| {
                let chunk = chunk.and_then(|bytes| {
                    *seen += bytes.len() as u64;
                    if *seen > limit.load(Ordering::Relaxed) {
                        Err(std::io::Error::other(
                            "the form is larger than an upload may be",
                        ))
                    } else {
                        Ok(bytes)
                    }
                });
                futures_util::future::ready(Some(chunk))
            });
        let mut limited = RequestBody::new(Body::from_bytes_stream(counted));
        Ok(Self {
            form: Multipart::from_request(request, &mut limited).await?,
            allowed,
        })
    }
}

impl<'a> poem_openapi::ApiExtractor<'a> for UploadForm {
    const TYPES: &'static [poem_openapi::ApiExtractorType] =
        &[poem_openapi::ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        Some(poem_openapi::registry::MetaRequest {
            description: None,
            content: vec![poem_openapi::registry::MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: poem_openapi::ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(ct) if Self::check_content_type(ct) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(ct) => Err(poem_openapi::error::ContentTypeError::NotSupported {
                content_type: ct.to_owned(),
            }
            .into()),
            None => Err(poem_openapi::error::ContentTypeError::ExpectContentType.into()),
        }
    }
}

/// A stored file, served with the headers that keep it inert: its detected type,
/// `nosniff`, a sandboxing content policy, `attachment` for anything but an image, and
/// private caching.
pub struct FileBody(crate::store::Download);

/// The policy of every served file: no scripts, no plugins, no forms, nothing but itself.
pub const FILE_CSP: &str = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'";

impl Payload for FileBody {
    const CONTENT_TYPE: &'static str = "*/*";

    fn schema_ref() -> MetaSchemaRef {
        poem_openapi::payload::Binary::<Body>::schema_ref()
    }
}

impl IntoResponse for FileBody {
    fn into_response(self) -> Response {
        let d = self.0;
        let disposition = format!(
            "{}; {}",
            if d.image { "inline" } else { "attachment" },
            disposition_name(&d.name)
        );
        let mut resp = Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_LENGTH, d.size)
            .header(header::CACHE_CONTROL, "private, max-age=3600")
            .header("x-content-type-options", "nosniff")
            .header("content-security-policy", FILE_CSP)
            .body(Body::from_bytes_stream(d.body));
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&d.content_type)
                .unwrap_or(HeaderValue::from_static(crate::media::OCTET_STREAM)),
        );
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        resp
    }
}

/// `filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266).
fn disposition_name(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[derive(ApiResponse)]
pub enum UploadResponse {
    /// Stored, not attached yet: send its `id` in a message's `attachments` (within a day,
    /// or it is deleted).
    #[oai(status = 201)]
    Created(Json<Attachment>),
    /// No `file` field, a body that is not a readable form, or a body that stopped
    /// arriving (`invalid_upload`).
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// The caller is not a member of this room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room (or not one of the caller's).
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The file is larger than `UPLOAD_MAX_BYTES` (`file_too_large`); nothing is stored.
    #[oai(status = 413)]
    TooLarge(Json<ErrorBody>),
    /// The body is not `multipart/form-data`.
    #[oai(status = 415)]
    Unsupported(Json<ErrorBody>),
    /// An image that cannot be decoded (`invalid_image`) or has too many pixels
    /// (`image_too_large`: a decompression bomb is one); nothing is stored.
    #[oai(status = 422)]
    Unprocessable(Json<ErrorBody>),
    /// Over the upload rate (`rate_limited`) or today's bytes (`upload_quota`); retry after
    /// `Retry-After` seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// Too many images are being processed; retry in a moment (`busy`).
    #[oai(status = 503)]
    Busy(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum FileResponse {
    /// The file, with its detected type. Images are `inline`; everything else is an
    /// `attachment` (`Content-Disposition`). Always `X-Content-Type-Options: nosniff` and
    /// `Content-Security-Policy: sandbox; …`, cached privately.
    #[oai(status = 200)]
    Ok(FileBody),
    /// No such upload, or the caller is not a member of its room.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

pub struct UploadsApi {
    store: UploadsStore,
}

impl UploadsApi {
    pub fn new(store: UploadsStore) -> Self {
        Self { store }
    }
}

fn error(code: &str, message: impl Into<String>) -> Json<ErrorBody> {
    Json(ErrorBody::new(code, message))
}

#[OpenApi(prefix_path = "/api", tag = "ApiTags::Uploads")]
impl UploadsApi {
    /// Upload a file
    ///
    /// For members of the room. The body is `multipart/form-data` with the file in the
    /// field `file`. Its type is found from its content: JPEG, PNG, GIF and WebP are images
    /// (re-encoded without metadata, with a thumbnail; `width` and `height` given);
    /// anything else is served as a download. Attach it by sending its `id` in a message's
    /// `attachments`.
    #[oai(
        path = "/rooms/:id/uploads",
        method = "post",
        operation_id = "uploadFile"
    )]
    async fn upload(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        form: UploadForm,
    ) -> poem::Result<UploadResponse> {
        let (user, room) = (auth.user_id(), id.0);
        // Who may upload, before a byte of the body is read.
        let admitted = match self.store.admit(user, &room).await {
            Ok(admitted) => admitted,
            Err(e) => return self.refusal(e),
        };
        let mut form = form;
        let unreadable = |e: poem::error::ParseMultipartError| {
            UploadResponse::BadRequest(error(
                "invalid_upload",
                format!("body: not a readable multipart form ({e})"),
            ))
        };
        let only_file = || {
            UploadResponse::BadRequest(error(
                "invalid_upload",
                "body: the form has one field, file, and nothing else",
            ))
        };
        let field = match form.form.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => field,
            Ok(_) => return Ok(only_file()),
            Err(e) => return Ok(unreadable(e)),
        };
        // The file, and room for the form around it.
        form.allow(self.store.settings().max_bytes.saturating_add(PREAMBLE));
        let name = field.file_name().map(str::to_owned);
        let received = match self
            .store
            .receive(admitted, Box::pin(field.into_async_read()))
            .await
        {
            Ok(received) => received,
            Err(e) => return self.refusal(e),
        };
        match form.form.next_field().await {
            Ok(None) => {}
            Ok(Some(_)) => {
                self.store.refuse(received);
                return Ok(only_file());
            }
            Err(e) => {
                self.store.refuse(received);
                return Ok(unreadable(e));
            }
        }
        // Stored in a task of its own: a client that leaves now does not cut storing
        // halfway (what is kept is swept in a day if it is never sent).
        let store = self.store.clone();
        let kept =
            tokio::spawn(async move { store.keep(user, &room, name.as_deref(), received).await })
                .await
                .map_err(|e| Failure::internal(format!("storing an upload: {e}")))?;
        match kept {
            Ok(a) => Ok(UploadResponse::Created(Json(a))),
            Err(e) => self.refusal(e),
        }
    }

    /// Download a file
    ///
    /// For members of the upload's room (404 for anyone else).
    #[oai(
        path = "/uploads/:upload_id",
        method = "get",
        operation_id = "downloadUpload"
    )]
    async fn download(
        &self,
        auth: SessionAuth,
        upload_id: Path<String>,
    ) -> poem::Result<FileResponse> {
        self.serve(auth, &upload_id.0, false).await
    }

    /// An image's thumbnail
    ///
    /// At most 320 × 320 pixels, JPEG (PNG for an image with transparency). For members of
    /// the upload's room; 404 for anyone else and for a file that is not an image.
    #[oai(
        path = "/uploads/:upload_id/thumbnail",
        method = "get",
        operation_id = "uploadThumbnail"
    )]
    async fn thumbnail(
        &self,
        auth: SessionAuth,
        upload_id: Path<String>,
    ) -> poem::Result<FileResponse> {
        self.serve(auth, &upload_id.0, true).await
    }
}

impl UploadsApi {
    /// The answer to a refused (or failed) upload.
    fn refusal(&self, refused: UploadError) -> poem::Result<UploadResponse> {
        let max = self.store.settings().max_bytes;
        Ok(match refused {
            UploadError::NotMember => {
                UploadResponse::Forbidden(error("not_member", "roomId: you are not in this room"))
            }
            UploadError::NotFound => {
                UploadResponse::NotFound(error("not_found", "roomId: no such room"))
            }
            UploadError::Stalled => UploadResponse::BadRequest(error(
                "invalid_upload",
                "body: the file stopped arriving before its end",
            )),
            UploadError::TooLarge(_) => UploadResponse::TooLarge(error(
                "file_too_large",
                format!("file: larger than the limit of {max} bytes"),
            )),
            UploadError::RateLimited(wait) => UploadResponse::TooMany(
                error(
                    "rate_limited",
                    format!(
                        "too many uploads; retry in {:.0} s",
                        wait.as_secs_f64().ceil()
                    ),
                ),
                wait.as_secs_f64().ceil() as u64,
            ),
            UploadError::Quota(wait) => UploadResponse::TooMany(
                error(
                    "upload_quota",
                    "file: today's upload allowance is used up (it renews at midnight UTC)",
                ),
                wait.as_secs_f64().ceil() as u64,
            ),
            UploadError::InvalidImage(why) => {
                UploadResponse::Unprocessable(error("invalid_image", format!("file: {why}")))
            }
            UploadError::ImageTooLarge(why) => {
                UploadResponse::Unprocessable(error("image_too_large", format!("file: {why}")))
            }
            UploadError::Internal(Failure::Busy) => UploadResponse::Busy(error(
                "busy",
                "too many images are being processed; retry in a moment",
            )),
            UploadError::Internal(f) => return Err(f.into()),
        })
    }

    async fn serve(
        &self,
        auth: SessionAuth,
        id: &str,
        thumbnail: bool,
    ) -> poem::Result<FileResponse> {
        Ok(
            match self.store.open(auth.user_id(), id, thumbnail).await? {
                Some(d) => FileResponse::Ok(FileBody(d)),
                None => FileResponse::NotFound(error("not_found", "uploadId: no such upload")),
            },
        )
    }
}
