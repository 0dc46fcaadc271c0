//! Where uploaded files live: one interface (`object_store`) over the local filesystem
//! (under `DATA_DIR`, the default) or any S3-compatible store.

use std::{path::Path, sync::Arc, time::Duration};

use anyhow::Context as _;

use bytes::Bytes;
use chat_core::{metrics, Failure};
use futures_util::{stream::BoxStream, StreamExt};
use object_store::{
    aws::AmazonS3Builder, buffered::BufWriter, local::LocalFileSystem, path::Path as ObjectPath,
    ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig,
};
use tokio::io::AsyncWriteExt;

/// Part size of a streamed write (S3's smallest multipart part): at most this much of a
/// file is in memory at once.
const PART: usize = 5 << 20;

/// Where to keep uploads.
#[derive(Debug, Clone)]
pub enum StorageConfig {
    /// Files under this directory.
    Local(std::path::PathBuf),
    /// An S3-compatible store; credentials from `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`), as every S3 client reads them.
    S3 {
        endpoint: Option<String>,
        bucket: String,
        region: String,
        /// Explicit credentials (else the environment's).
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
    },
}

/// The store of uploaded files.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// "local" or "s3", for logs.
    pub kind: &'static str,
}

impl Storage {
    pub fn open(config: &StorageConfig) -> anyhow::Result<Self> {
        match config {
            StorageConfig::Local(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                let fs = LocalFileSystem::new_with_prefix(dir)
                    .with_context(|| format!("upload storage in {}", dir.display()))?
                    .with_automatic_cleanup(true);
                Ok(Self {
                    store: Arc::new(fs),
                    kind: "local",
                })
            }
            StorageConfig::S3 {
                endpoint,
                bucket,
                region,
                access_key_id,
                secret_access_key,
            } => {
                let mut builder = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_region(region);
                if let (Some(id), Some(secret)) = (access_key_id, secret_access_key) {
                    builder = builder
                        .with_access_key_id(id)
                        .with_secret_access_key(secret);
                }
                // A store that does not answer fails a request in seconds, not minutes (the
                // crate's default retries for up to three).
                let retry = RetryConfig {
                    max_retries: 3,
                    retry_timeout: Duration::from_secs(15),
                    ..RetryConfig::default()
                };
                let http = endpoint
                    .as_deref()
                    .is_some_and(|e| e.starts_with("http://"));
                builder = builder.with_retry(retry).with_client_options(
                    ClientOptions::new()
                        .with_allow_http(http)
                        .with_connect_timeout(Duration::from_secs(5))
                        .with_timeout(Duration::from_secs(60)),
                );
                if let Some(endpoint) = endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_virtual_hosted_style_request(false);
                }
                let s3 = builder
                    .build()
                    .context("S3 storage (S3_ENDPOINT, S3_BUCKET, S3_REGION, AWS_*)")?;
                Ok(Self {
                    store: Arc::new(s3),
                    kind: "s3",
                })
            }
        }
    }

    /// Streams the file at `path` into `key`, a part at a time.
    pub async fn put_file(&self, key: &str, path: &Path) -> Result<u64, Failure> {
        let result = async {
            let mut file = tokio::fs::File::open(path).await?;
            let mut writer =
                BufWriter::with_capacity(Arc::clone(&self.store), ObjectPath::from(key), PART);
            // A write that fails part way is aborted, so that no half-written object (or
            // S3 multipart upload) is left behind. (A failed shutdown cannot be aborted.)
            match tokio::io::copy(&mut file, &mut writer).await {
                Ok(n) => writer.shutdown().await.map(|()| n),
                Err(e) => {
                    let _ = writer.abort().await;
                    Err(e)
                }
            }
        }
        .await;
        result
            .inspect(|n| metrics::UPLOAD_BYTES_STORED.inc_by(*n))
            .map_err(|e: std::io::Error| failed("put", key, e))
    }

    /// Stores `bytes` (a re-encoded image or a thumbnail, already in memory) at `key`.
    pub async fn put_bytes(&self, key: &str, bytes: Vec<u8>) -> Result<(), Failure> {
        let n = bytes.len() as u64;
        self.store
            .put(&ObjectPath::from(key), PutPayload::from(bytes))
            .await
            .map_err(|e| failed("put", key, e))?;
        metrics::UPLOAD_BYTES_STORED.inc_by(n);
        Ok(())
    }

    /// The content at `key`, as a stream of chunks, and its size.
    pub async fn get(
        &self,
        key: &str,
    ) -> Result<(u64, BoxStream<'static, std::io::Result<Bytes>>), Failure> {
        let got = self
            .store
            .get(&ObjectPath::from(key))
            .await
            .map_err(|e| failed("get", key, e))?;
        let size = got.meta.size;
        let stream = got
            .into_stream()
            .map(|chunk| {
                chunk.map_err(|e| {
                    metrics::STORAGE_ERRORS.with_label_values(&["get"]).inc();
                    std::io::Error::other(e)
                })
            })
            .boxed();
        Ok((size, stream))
    }

    /// Deletes `key`; deleting what is not there succeeds. The bytes freed are counted.
    pub async fn delete(&self, key: &str) -> Result<(), Failure> {
        let path = ObjectPath::from(key);
        let size = match self.store.head(&path).await {
            Ok(meta) => meta.size,
            Err(object_store::Error::NotFound { .. }) => return Ok(()),
            Err(e) => return Err(failed("delete", key, e)),
        };
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {
                metrics::UPLOAD_BYTES_DELETED.inc_by(size);
                Ok(())
            }
            Err(e) => Err(failed("delete", key, e)),
        }
    }
}

fn failed(op: &'static str, key: &str, e: impl std::fmt::Display) -> Failure {
    metrics::STORAGE_ERRORS.with_label_values(&[op]).inc();
    Failure::internal(format!("storage {op} {key}: {e}"))
}
