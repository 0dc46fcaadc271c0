//! Files in chat, from outside: two instances on one real Redis, uploads kept on the
//! filesystem (one data directory, as a shared volume) or in a real S3-compatible server
//! on loopback (s3s-fs, which checks request signatures). What a member sees, what an
//! outsider sees, what is left in Redis and in storage.

mod common;

use common::{s3::S3Server, *};
use serde_json::{json, Value};

/// An answer's status, headers and bytes.
struct Got {
    status: u16,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

async fn upload(
    user: &User,
    room: &str,
    name: &str,
    bytes: Vec<u8>,
    claimed: &str,
) -> (u16, Value) {
    user.upload(room, name, bytes, claimed).await
}

/// Asserts an answer is the refusal `status` with error `code`.
fn refused(answer: &(u16, Value), status: u16, code: &str) {
    assert_eq!(
        (answer.0, answer.1["error"].as_str()),
        (status, Some(code)),
        "{}",
        answer.1
    );
}

async fn fetch(user: &User, path: &str) -> Got {
    let r = user
        .http
        .client
        .get(format!("{}{path}", user.http.base))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    Got {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        bytes: r.bytes().await.unwrap().to_vec(),
    }
}

async fn send_with(user: &User, room: &str, body: Value) -> (u16, Value) {
    user.post(&format!("/api/rooms/{room}/messages"), body)
        .await
}

/// A 40 × 20 JPEG whose EXIF says "rotate 90° clockwise" and holds a GPS position.
fn jpeg_with_gps() -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 20, |x, _| {
        if x < 20 {
            image::Rgb([255, 0, 0])
        } else {
            image::Rgb([0, 0, 255])
        }
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&img)
        .unwrap();
    // TIFF, little-endian: IFD0 (Orientation = 6, GPS IFD pointer), then the GPS IFD
    // (latitude N 48° 51' 29.40").
    let mut tiff: Vec<u8> = b"II*\0\x08\0\0\0".to_vec();
    let entry = |tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        let mut e = Vec::new();
        e.extend_from_slice(&tag.to_le_bytes());
        e.extend_from_slice(&kind.to_le_bytes());
        e.extend_from_slice(&count.to_le_bytes());
        e.extend_from_slice(&value);
        e
    };
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend(entry(0x0112, 3, 1, [6, 0, 0, 0]));
    tiff.extend(entry(0x8825, 4, 1, 38u32.to_le_bytes()));
    tiff.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(tiff.len(), 38);
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, *b"N\0\0\0"));
    tiff.extend(entry(0x0002, 5, 3, 68u32.to_le_bytes()));
    tiff.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(tiff.len(), 68);
    for (n, d) in [(48u32, 1u32), (51, 1), (2940, 100)] {
        tiff.extend_from_slice(&n.to_le_bytes());
        tiff.extend_from_slice(&d.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A complete PNG of `side` × `side` 1-bit pixels: a small file that decodes to `side²`
/// pixels (written row by row: the test never holds the pixels either).
fn png_bomb(side: u32) -> Vec<u8> {
    let file = tempfile::NamedTempFile::new().unwrap();
    let mut enc = png::Encoder::new(file.reopen().unwrap(), side, side);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::One);
    enc.set_compression(png::Compression::Fast);
    let mut w = enc.write_header().unwrap().into_stream_writer().unwrap();
    let row = vec![0u8; side.div_ceil(8) as usize];
    for _ in 0..side {
        std::io::Write::write_all(&mut w, &row).unwrap();
    }
    w.finish().unwrap();
    std::fs::read(file.path()).unwrap()
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

const SVG: &[u8] = br#"<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script></svg>"#;

/// The bytes of a Linux executable (an ELF header and a little more).
fn executable() -> Vec<u8> {
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0".to_vec();
    elf.resize(512, 0);
    elf
}

/// An instance's settings with its data (and the filesystem store) in `dir`: instances of
/// one test share it, as they would a volume.
fn config_in(redis: &TestRedis, dir: &tempfile::TempDir) -> redis_chat::Config {
    let mut c = config_for(redis);
    c.data_dir = dir.path().to_path_buf();
    c
}

/// Two instances on `redis`, sharing `dir`.
async fn two_instances(redis: &TestRedis, dir: &tempfile::TempDir) -> (TestApp, TestApp) {
    (
        TestApp::spawn_with(config_in(redis, dir)).await,
        TestApp::spawn_with(config_in(redis, dir)).await,
    )
}

/// Storage keys waiting in `room`'s trash to be deleted.
async fn trash_len(redis: &TestRedis, room: &str) -> u64 {
    let mut conn = redis.conn().await;
    chat_core::redis::cmd("ZCARD")
        .arg(format!("uploads:trash:{{room:{room}}}"))
        .query_async(&mut conn)
        .await
        .unwrap()
}

/// Every file under the filesystem store in `dir`.
fn stored_files(dir: &tempfile::TempDir) -> Vec<String> {
    files_under(&dir.path().join("uploads"))
}

fn stored(dir: &tempfile::TempDir, id: &str) -> bool {
    stored_files(dir).iter().any(|f| f.contains(id))
}

async fn records(redis: &TestRedis, room: &str) -> Vec<(String, Value)> {
    let mut conn = redis.conn().await;
    let all: Vec<(String, String)> = chat_core::redis::cmd("HGETALL")
        .arg(format!("uploads:{{room:{room}}}"))
        .query_async(&mut conn)
        .await
        .unwrap();
    all.into_iter()
        .map(|(k, v)| (k, serde_json::from_str(&v).unwrap()))
        .collect()
}

/// Ann's room, which Bob joined; Carl is signed in but not a member.
async fn room_of_three(a: &TestApp, b: &TestApp, name: &str) -> (User, User, User, String) {
    let ann = a.user(&format!("ann{name}")).await;
    let bob = b.user(&format!("bob{name}")).await;
    let carl = b.user(&format!("carl{name}")).await;
    let room = ann.create_room(name).await;
    let (s, body) = bob
        .post(&format!("/api/rooms/{room}/join"), json!({}))
        .await;
    assert_eq!(s, 200, "{body}");
    (ann, bob, carl, room)
}

#[tokio::test]
async fn an_image_loses_its_metadata_and_reaches_only_the_rooms_members() {
    let redis = TestRedis::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_instances(&redis, &dir).await;
    let (ann, bob, carl, room) = room_of_three(&a, &b, "photos").await;
    let mut bob_socket = bob.connect(&b).await;

    let original = jpeg_with_gps();
    assert!(
        original.windows(4).any(|w| w == b"Exif"),
        "the test image has EXIF"
    );
    let (s, up) = upload(&ann, &room, "holiday.jpg", original, "image/jpeg").await;
    assert_eq!(s, 201, "{up}");
    // Turned upright by its EXIF orientation: 40 × 20 becomes 20 × 40.
    assert_eq!(up["contentType"], "image/jpeg");
    assert_eq!(
        (up["width"].as_u64(), up["height"].as_u64()),
        (Some(20), Some(40))
    );
    assert_eq!(up["name"], "holiday.jpg");
    let id = up["id"].as_str().unwrap().to_owned();

    // Sent with a message on A; Bob's socket on B gets it live, with the attachment.
    let (s, sent) = send_with(&ann, &room, json!({"message": "look", "attachments": [id]})).await;
    assert_eq!(s, 201, "{sent}");
    assert_eq!(sent["attachments"][0]["id"], id.as_str());
    let live = bob_socket.expect("message").await;
    assert_eq!(live["attachments"][0]["id"], id.as_str());
    assert_eq!(live["attachments"][0]["width"], 20);

    // Bob downloads it from B: an image, inline, inert, without EXIF or GPS.
    let got = fetch(&bob, &format!("/api/uploads/{id}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type"), "image/jpeg");
    assert_eq!(got.header("x-content-type-options"), "nosniff");
    assert!(got.header("content-security-policy").starts_with("sandbox"));
    assert!(got.header("content-disposition").starts_with("inline"));
    assert!(got.header("cache-control").contains("private"));
    assert!(!got.bytes.windows(4).any(|w| w == b"Exif"), "EXIF is gone");
    let decoded = image::load_from_memory(&got.bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (20, 40));
    // Upright: the red half (the left of the original) is now at the top.
    let top = decoded.to_rgb8().get_pixel(10, 5).0;
    assert!(top[0] > 200 && top[2] < 80, "top is red: {top:?}");

    let thumb = fetch(&bob, &format!("/api/uploads/{id}/thumbnail")).await;
    assert_eq!(thumb.status, 200);
    assert_eq!(thumb.header("content-type"), "image/jpeg");
    assert!(image::load_from_memory(&thumb.bytes).is_ok());

    // History shows it too.
    let (_, page) = bob.on(&b).history(&room, "").await;
    let last = page["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["attachments"][0]["name"], "holiday.jpg");

    // Carl is not in the room: 404 for the file and its thumbnail, 403 for uploading.
    assert_eq!(
        fetch(&carl, &format!("/api/uploads/{id}")).await.status,
        404
    );
    assert_eq!(
        fetch(&carl, &format!("/api/uploads/{id}/thumbnail"))
            .await
            .status,
        404
    );
    refused(
        &upload(&carl, &room, "x.txt", b"hello".to_vec(), "text/plain").await,
        403,
        "not_member",
    );
    assert_eq!(fetch(&bob, "/api/uploads/not-an-id").await.status, 404);

    // In Redis: one record, attached to the message.
    let recs = records(&redis, &room).await;
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].1["message"], sent["id"]);
    assert!(stored(&dir, &id));
}

#[tokio::test]
async fn what_a_browser_could_run_is_served_as_an_inert_download() {
    let redis = TestRedis::start().await;
    let dir = tempfile::tempdir().unwrap();
    let a = TestApp::spawn_with(config_in(&redis, &dir)).await;
    let (ann, bob, _carl, room) = room_of_three(&a, &a, "files").await;

    for (name, bytes, claimed) in [
        ("drawing.svg", SVG.to_vec(), "image/svg+xml"),
        (
            "page.html",
            b"<!DOCTYPE html><script>alert(1)</script>".to_vec(),
            "text/html",
        ),
        ("photo.jpg", executable(), "image/jpeg"),
    ] {
        let (s, up) = upload(&ann, &room, name, bytes.clone(), claimed).await;
        assert_eq!(s, 201, "{name}: {up}");
        let ty = up["contentType"].as_str().unwrap();
        assert!(!ty.starts_with("image/"), "{name} is not an image: {ty}");
        assert!(!ty.contains("svg") && !ty.contains("html"), "{name}: {ty}");
        assert!(up.get("width").is_none(), "{name}");
        let id = up["id"].as_str().unwrap();
        let (s, _) = send_with(&ann, &room, json!({"attachments": [id]})).await;
        assert_eq!(s, 201);
        let got = fetch(&bob, &format!("/api/uploads/{id}")).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.bytes, bytes, "{name} is served as uploaded");
        assert_eq!(got.header("content-type"), ty);
        assert!(
            got.header("content-disposition").starts_with("attachment"),
            "{name}"
        );
        assert!(got.header("content-disposition").contains(name));
        assert_eq!(got.header("x-content-type-options"), "nosniff");
        assert!(got.header("content-security-policy").starts_with("sandbox"));
        assert_eq!(
            fetch(&bob, &format!("/api/uploads/{id}/thumbnail"))
                .await
                .status,
            404
        );
    }

    let (s, pdf) = upload(
        &ann,
        &room,
        "../../report.pdf",
        PDF.to_vec(),
        "application/octet-stream",
    )
    .await;
    assert_eq!(s, 201, "{pdf}");
    assert_eq!(pdf["contentType"], "application/pdf");
    assert_eq!(pdf["name"], "report.pdf", "no directories in a name");
    assert_eq!(pdf["size"], PDF.len());
}

#[tokio::test]
async fn a_bomb_and_a_file_over_the_cap_are_refused_and_nothing_is_kept() {
    let redis = TestRedis::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_in(&redis, &dir);
    config.upload_max_bytes = 200_000;
    config.upload_max_pixels = 10_000_000;
    let a = TestApp::spawn_with(config).await;
    let (ann, _bob, _carl, room) = room_of_three(&a, &a, "bombs").await;
    let files_before = stored_files(&dir).len();

    // 12,000 × 12,000 pixels (144 million) in a small file.
    let bomb = png_bomb(12_000);
    assert!(bomb.len() < 200_000, "the bomb is small: {}", bomb.len());
    refused(
        &upload(&ann, &room, "bomb.png", bomb, "image/png").await,
        422,
        "image_too_large",
    );

    refused(
        &upload(
            &ann,
            &room,
            "big.bin",
            vec![7u8; 200_001],
            "application/octet-stream",
        )
        .await,
        413,
        "file_too_large",
    );
    // Exactly at the cap is fine.
    let (s, ok) = upload(
        &ann,
        &room,
        "max.bin",
        vec![7u8; 200_000],
        "application/octet-stream",
    )
    .await;
    assert_eq!(s, 201, "{ok}");

    // A PNG header with a broken body: not an image after all.
    let mut broken = png_bomb(100);
    broken.truncate(60);
    refused(
        &upload(&ann, &room, "broken.png", broken, "image/png").await,
        422,
        "invalid_image",
    );

    // A form with anything but the one field `file`: refused, whatever comes first.
    for form in [
        reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("a.pdf"),
            )
            .text("extra", "1"),
        reqwest::multipart::Form::new().text("extra", "1").part(
            "file",
            reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("a.pdf"),
        ),
        reqwest::multipart::Form::new().text("other", "x"),
    ] {
        let r = ann
            .http
            .client
            .post(format!("{}/api/rooms/{room}/uploads", ann.http.base))
            .bearer_auth(&ann.token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "invalid_upload");
    }

    // Nothing of the refused files in Redis or storage; the spool is empty.
    let recs = records(&redis, &room).await;
    assert_eq!(recs.len(), 1, "only the accepted file: {recs:#?}");
    assert_eq!(stored_files(&dir).len(), files_before + 1);
    let spool: Vec<_> = std::fs::read_dir(dir.path().join("uploads-spool"))
        .unwrap()
        .flatten()
        .collect();
    assert!(spool.is_empty(), "spool files left: {spool:?}");
    assert_eq!(trash_len(&redis, &room).await, 0);
}

#[tokio::test]
async fn attachments_are_the_senders_own_and_leave_with_their_message() {
    let redis = TestRedis::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_instances(&redis, &dir).await;
    let (ann, bob, _carl, room) = room_of_three(&a, &b, "attach").await;
    let other_room = bob.create_room("elsewhere").await;

    let (_, mine) = upload(&ann, &room, "a.pdf", PDF.to_vec(), "application/pdf").await;
    let (_, bobs) = upload(&bob, &room, "b.pdf", PDF.to_vec(), "application/pdf").await;
    let (_, elsewhere) = upload(&bob, &other_room, "c.pdf", PDF.to_vec(), "application/pdf").await;
    let (mine, bobs, elsewhere) = (
        mine["id"].as_str().unwrap().to_owned(),
        bobs["id"].as_str().unwrap().to_owned(),
        elsewhere["id"].as_str().unwrap().to_owned(),
    );

    // Someone else's upload, an upload of another room, an unknown id: 404, nothing sent.
    for id in [&bobs, &elsewhere, &"0".repeat(32)] {
        refused(
            &send_with(&ann, &room, json!({"message": "x", "attachments": [id]})).await,
            404,
            "attachment_not_found",
        );
    }
    let answer = send_with(
        &bob,
        &room,
        json!({"message": "x", "attachments": [elsewhere]}),
    )
    .await;
    refused(&answer, 404, "attachment_not_found");
    // Malformed: not an id, eleven, a repeat, neither text nor files.
    for bad in [
        json!({"attachments": ["nope"]}),
        json!({"attachments": vec![mine.clone(); 11]}),
        json!({"attachments": [mine, mine]}),
        json!({"attachments": []}),
        json!({}),
    ] {
        let (s, body) = send_with(&ann, &room, bad.clone()).await;
        assert_eq!(s, 400, "{bad} -> {body}");
    }
    assert_eq!(redis.messages_in(&room).await, 0);

    // Files alone, without text: sent; the same upload cannot go twice.
    let (s, sent) = send_with(
        &ann,
        &room,
        json!({"attachments": [mine], "clientId": "one"}),
    )
    .await;
    assert_eq!(s, 201, "{sent}");
    assert_eq!(sent["message"], "");
    let (s, again) = send_with(
        &ann,
        &room,
        json!({"attachments": [mine], "clientId": "one"}),
    )
    .await;
    assert_eq!(
        (s, &again["id"]),
        (201, &sent["id"]),
        "a retry is the same message"
    );
    let answer = send_with(
        &ann,
        &room,
        json!({"message": "again", "attachments": [mine]}),
    )
    .await;
    refused(&answer, 409, "attachment_taken");

    // Over the WebSocket too.
    let mut socket = bob.connect(&b).await;
    socket
        .send(json!({"type": "message", "data": {"roomId": room, "message": "", "attachments": [bobs], "clientId": "w1"}}))
        .await;
    let ws_sent = socket.expect("message").await;
    assert_eq!(ws_sent["attachments"][0]["id"], bobs.as_str());
    socket
        .send(json!({"type": "message", "data": {"roomId": room, "message": "", "clientId": "w2"}}))
        .await;
    let refused = socket.expect("error").await;
    assert_eq!(refused["error"], "empty_message");

    // Deleting the message (its author) deletes its file; a moderator's delete too.
    assert!(stored(&dir, &mine));
    let sent_id = sent["id"].as_str().unwrap();
    let (s, _) = ann
        .request(
            "DELETE",
            &format!("/api/rooms/{room}/messages/{sent_id}"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert!(!stored(&dir, &mine), "the file went with its message");
    assert_eq!(
        fetch(&ann, &format!("/api/uploads/{mine}")).await.status,
        404
    );
    let ws_id = ws_sent["id"].as_str().unwrap();
    let (s, _) = ann
        .request(
            "DELETE",
            &format!("/api/rooms/{room}/messages/{ws_id}"),
            None,
        )
        .await;
    assert_eq!(s, 200, "the owner moderates");
    assert!(!stored(&dir, &bobs));
    let left: Vec<String> = records(&redis, &room)
        .await
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn unattached_uploads_are_swept_and_trimmed_messages_take_their_files() {
    let redis = TestRedis::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_in(&redis, &dir);
    config.upload_unattached_secs = 1;
    config.upload_sweep_secs = 1;
    config.room_max_messages = 2;
    let a = TestApp::spawn_with(config).await;
    let (ann, _bob, _carl, room) = room_of_three(&a, &a, "sweep").await;

    let (_, loose) = upload(&ann, &room, "loose.pdf", PDF.to_vec(), "application/pdf").await;
    let (_, kept) = upload(&ann, &room, "kept.pdf", PDF.to_vec(), "application/pdf").await;
    let (loose, kept) = (
        loose["id"].as_str().unwrap().to_owned(),
        kept["id"].as_str().unwrap().to_owned(),
    );
    let (s, _) = send_with(
        &ann,
        &room,
        json!({"message": "first", "attachments": [kept]}),
    )
    .await;
    assert_eq!(s, 201);

    // Never sent: gone from storage and Redis after its time.
    assert!(
        eventually(15, || async { !stored(&dir, &loose) }).await,
        "the loose upload was swept"
    );
    assert_eq!(
        fetch(&ann, &format!("/api/uploads/{loose}")).await.status,
        404
    );
    // Sent: kept while its message is.
    assert!(stored(&dir, &kept));
    assert_eq!(
        fetch(&ann, &format!("/api/uploads/{kept}")).await.status,
        200
    );

    // Two more messages: retention trims the first, and its file goes.
    ann.say(&room, "second").await;
    ann.say(&room, "third").await;
    assert!(
        eventually(15, || async { !stored(&dir, &kept) }).await,
        "the trimmed message's file went"
    );
    assert!(records(&redis, &room).await.is_empty());
}

/// A day's bytes are shared by a user's uploads, even sent at the same moment; the form
/// parser reads only so much before the file's part begins.
#[tokio::test]
async fn the_daily_allowance_holds_for_uploads_at_once_and_a_form_is_bounded() {
    let redis = TestRedis::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_in(&redis, &dir);
    config.upload_daily_bytes = 1_000;
    let a = TestApp::spawn_with(config).await;
    let (ann, _bob, _carl, room) = room_of_three(&a, &a, "quota").await;

    let names: Vec<String> = (0..4).map(|i| format!("{i}.bin")).collect();
    let sent = futures_util::future::join_all(names.iter().map(|name| {
        upload(
            &ann,
            &room,
            name,
            vec![1u8; 400],
            "application/octet-stream",
        )
    }))
    .await;
    let stored = sent.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(stored, 2, "two of 400 bytes fit in 1,000: {sent:?}");
    for answer in sent.iter().filter(|(s, _)| *s != 201) {
        refused(answer, 429, "upload_quota");
    }
    let mut conn = redis.conn().await;
    let day = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs())
        / 86_400;
    let charged: u64 = chat_core::redis::cmd("GET")
        .arg(format!("uploads:bytes:{}:{day}", ann.id))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(charged, 800, "refused uploads are not charged");
    assert_eq!(records(&redis, &room).await.len(), 2);

    // A body announcing 20 MB that sends two megabytes of anything before any part and
    // then waits: refused once the parser has read a megabyte, not held until the body
    // ends (the old parser buffered it all, waiting for a boundary).
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", a.port))
        .await
        .unwrap();
    let head = format!(
        "POST /api/rooms/{room}/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 20000000\r\n\r\n",
        ann.token
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let _ = tcp.write_all(&vec![b'x'; 2 << 20]).await;
    let mut answer = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&answer).contains("invalid_upload") {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), read)
        .await
        .expect("answered while the body is still due");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("invalid_upload"), "{answer}");
}

/// Two instances storing in a real S3-compatible server: upload on one, download on the
/// other; a delete storage refuses is kept and done once storage is back; wrong
/// credentials are refused by the server (signatures are checked).
#[tokio::test]
async fn uploads_live_in_s3_and_a_failed_delete_is_retried() {
    let mut s3 = S3Server::start().await;
    let redis = TestRedis::start().await;
    let endpoint = s3.endpoint.clone();
    let dir = tempfile::tempdir().unwrap();
    let s3_config = |secret: &str| {
        let mut c = config_in(&redis, &dir);
        c.s3_endpoint = Some(endpoint.clone());
        c.s3_bucket = Some(s3::BUCKET.into());
        c.s3_access_key_id = Some(s3::ACCESS_KEY.into());
        c.s3_secret_access_key = Some(secret.into());
        c.upload_sweep_secs = 1;
        c
    };
    let a = TestApp::spawn_with(s3_config(s3::SECRET_KEY)).await;
    let b = TestApp::spawn_with(s3_config(s3::SECRET_KEY)).await;
    let (ann, bob, carl, room) = room_of_three(&a, &b, "s3").await;
    let files_before = stored_files(&dir).len();

    let (s, img) = upload(&ann, &room, "gps.jpg", jpeg_with_gps(), "image/jpeg").await;
    assert_eq!(s, 201, "{img}");
    let (s, pdf) = upload(&ann, &room, "doc.pdf", PDF.to_vec(), "application/pdf").await;
    assert_eq!(s, 201, "{pdf}");
    let (img, pdf) = (
        img["id"].as_str().unwrap().to_owned(),
        pdf["id"].as_str().unwrap().to_owned(),
    );
    let objects = s3.objects();
    assert_eq!(
        objects.len(),
        3,
        "an image, its thumbnail, a PDF: {objects:?}"
    );
    assert_eq!(
        stored_files(&dir).len(),
        files_before,
        "nothing on the filesystem"
    );

    let (s, sent) = send_with(
        &ann,
        &room,
        json!({"message": "both", "attachments": [img, pdf]}),
    )
    .await;
    assert_eq!(s, 201, "{sent}");
    let got = fetch(&bob, &format!("/api/uploads/{img}")).await;
    assert_eq!(
        (got.status, got.header("content-type").as_str()),
        (200, "image/jpeg")
    );
    assert!(!got.bytes.windows(4).any(|w| w == b"Exif"));
    let got = fetch(&bob, &format!("/api/uploads/{pdf}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, PDF);
    assert!(got.header("content-disposition").starts_with("attachment"));
    assert_eq!(
        fetch(&carl, &format!("/api/uploads/{pdf}")).await.status,
        404
    );

    // Storage goes away; the message is deleted anyway, its files wait in the trash.
    s3.stop();
    let id = sent["id"].as_str().unwrap();
    let (s, _) = ann
        .request("DELETE", &format!("/api/rooms/{room}/messages/{id}"), None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(trash_len(&redis, &room).await, 3, "three deletes to retry");
    assert_eq!(s3.objects().len(), 3);
    // Back: the sweeper deletes them.
    s3.restart().await;
    assert!(
        eventually(20, || async { s3.objects().is_empty() }).await,
        "left in storage: {:?}",
        s3.objects()
    );
    assert!(eventually(5, || async { trash_len(&redis, &room).await == 0 }).await);

    // An instance with the wrong secret: the server refuses its signature.
    let wrong = TestApp::spawn_with(s3_config("not-the-secret")).await;
    let (s, _) = upload(
        &ann.on(&wrong),
        &room,
        "doc.pdf",
        PDF.to_vec(),
        "application/pdf",
    )
    .await;
    assert_eq!(s, 500);
    assert!(
        wrong
            .metric("redis_chat_storage_errors_total{op=\"put\"}")
            .await
            >= 1.0
    );
    assert!(s3.objects().is_empty());
}
