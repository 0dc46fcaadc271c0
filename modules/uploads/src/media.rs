//! What an uploaded file is, found from its content, and what an image becomes before it is
//! stored: decoded within limits, turned upright, re-encoded without any of its metadata
//! (EXIF, GPS, XMP, comments), with a thumbnail. Runs on blocking threads ([`crate::Pool`]).

use std::{
    fs::File,
    io::{BufReader, Cursor, Read, Seek, SeekFrom},
    num::NonZeroU64,
    path::Path,
};

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;

/// Most frames of an animated GIF.
pub const MAX_GIF_FRAMES: u64 = 1000;

/// JPEG quality of re-encoded photos and thumbnails.
const JPEG_QUALITY: u8 = 85;

/// What a file is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One of the four image formats shown inline.
    Image(ImageFormat),
    /// Anything else, served as a download with this type.
    File(&'static str),
}

/// The bytes [`detect`] looks at.
pub const SNIFF_LEN: usize = 8192;

/// The kind of a file whose first bytes are `head`. Only JPEG, PNG, GIF and WebP are
/// images; a type that a browser could run (HTML, SVG, XML, scripts) is never named: such
/// content is `application/octet-stream`, like everything unknown.
pub fn detect(head: &[u8]) -> Kind {
    match infer::get(head) {
        Some(t) => match t.mime_type() {
            "image/jpeg" => Kind::Image(ImageFormat::Jpeg),
            "image/png" => Kind::Image(ImageFormat::Png),
            "image/gif" => Kind::Image(ImageFormat::Gif),
            "image/webp" => Kind::Image(ImageFormat::WebP),
            mime if scriptable(mime) => Kind::File(OCTET_STREAM),
            mime => Kind::File(mime),
        },
        None => Kind::File(OCTET_STREAM),
    }
}

pub const OCTET_STREAM: &str = "application/octet-stream";

fn scriptable(mime: &str) -> bool {
    ["html", "xml", "svg", "script", "text/"]
        .iter()
        .any(|s| mime.contains(s))
}

/// How large an image may be.
#[derive(Debug, Clone, Copy)]
pub struct ImageLimits {
    /// Width × height (summed over a GIF's frames).
    pub max_pixels: u64,
    /// The longest side.
    pub max_side: u32,
}

impl Default for ImageLimits {
    fn default() -> Self {
        Self {
            max_pixels: 40_000_000,
            max_side: 16_384,
        }
    }
}

/// Why an image was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    /// Over the limits (a decompression bomb, or simply too big).
    #[error("the image is too large: {0}")]
    TooLarge(String),
    /// Not decodable as the format its content claims.
    #[error("the image cannot be read: {0}")]
    Invalid(String),
}

/// An image as it is stored, and its thumbnail.
#[derive(Debug)]
pub struct Processed {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
    pub thumbnail_type: &'static str,
}

/// Decodes the image in `path` (of `format`), turns it upright, re-encodes it without
/// metadata and makes its thumbnail. A GIF keeps its frames and timing (its pixels are
/// copied as they are, its extensions dropped); a WebP becomes a PNG (with transparency)
/// or a JPEG.
pub fn process(
    path: &Path,
    format: ImageFormat,
    limits: ImageLimits,
) -> Result<Processed, ImageError> {
    if format == ImageFormat::Gif {
        return process_gif(path, limits);
    }
    let file = File::open(path).map_err(|e| ImageError::Invalid(e.to_string()))?;
    let mut reader = ImageReader::with_format(BufReader::new(file), format);
    reader.limits(decoder_limits(limits));
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height, 1, limits)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    img.apply_orientation(orientation);
    let keep_png =
        format == ImageFormat::Png || (format == ImageFormat::WebP && img.color().has_alpha());
    let (bytes, content_type) = if keep_png {
        (encode_png(&img)?, "image/png")
    } else {
        (encode_jpeg(&img)?, "image/jpeg")
    };
    let (thumbnail, thumbnail_type) = thumbnail_of(&img)?;
    Ok(Processed {
        bytes,
        content_type,
        width: img.width(),
        height: img.height(),
        thumbnail,
        thumbnail_type,
    })
}

fn decoder_limits(limits: ImageLimits) -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(limits.max_side);
    l.max_image_height = Some(limits.max_side);
    // Room for the decoded pixels (at most 8 bytes each) and the decoder's own buffers.
    l.max_alloc = Some(limits.max_pixels.saturating_mul(8).max(64 << 20));
    l
}

fn check_size(width: u32, height: u32, frames: u64, limits: ImageLimits) -> Result<(), ImageError> {
    let pixels = u64::from(width) * u64::from(height) * frames;
    if width == 0 || height == 0 {
        return Err(ImageError::Invalid("it has no pixels".into()));
    }
    if width > limits.max_side || height > limits.max_side || pixels > limits.max_pixels {
        return Err(ImageError::TooLarge(format!(
            "{width}×{height} pixels{}; at most {} pixels and {} on a side",
            if frames > 1 {
                format!(" × {frames} frames")
            } else {
                String::new()
            },
            limits.max_pixels,
            limits.max_side
        )));
    }
    Ok(())
}

fn refusal(e: image::ImageError) -> ImageError {
    match e {
        image::ImageError::Limits(l) => ImageError::TooLarge(l.to_string()),
        other => ImageError::Invalid(other.to_string()),
    }
}

fn encode_png(img: &DynamicImage) -> Result<Vec<u8>, ImageError> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)
        .map_err(|e| ImageError::Invalid(e.to_string()))?;
    Ok(out.into_inner())
}

fn encode_jpeg(img: &DynamicImage) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    let rgb = img.to_rgb8();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|e| ImageError::Invalid(e.to_string()))?;
    Ok(out)
}

/// A thumbnail within [`THUMBNAIL_SIDE`] (never enlarged): PNG when the image has
/// transparency, else JPEG.
fn thumbnail_of(img: &DynamicImage) -> Result<(Vec<u8>, &'static str), ImageError> {
    let small = if img.width() <= THUMBNAIL_SIDE && img.height() <= THUMBNAIL_SIDE {
        img.clone()
    } else {
        img.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    };
    if small.color().has_alpha() {
        Ok((encode_png(&small)?, "image/png"))
    } else {
        Ok((encode_jpeg(&small)?, "image/jpeg"))
    }
}

/// A GIF, frame by frame: each frame's palette indices copied as they are (no
/// re-quantizing), with its delay, disposal and transparency; every extension (comments,
/// XMP, application data) is left behind. The thumbnail is the first frame.
fn process_gif(path: &Path, limits: ImageLimits) -> Result<Processed, ImageError> {
    let mut file = File::open(path).map_err(|e| ImageError::Invalid(e.to_string()))?;
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    options.set_memory_limit(gif::MemoryLimit::Bytes(
        NonZeroU64::new(limits.max_pixels.max(1)).unwrap_or(NonZeroU64::MIN),
    ));
    let invalid = |e: gif::DecodingError| ImageError::Invalid(e.to_string());
    let mut decoder = options
        .read_info(BufReader::new(&mut file))
        .map_err(invalid)?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    check_size(width, height, 1, limits)?;
    let mut out = Vec::new();
    {
        let palette = decoder.global_palette().unwrap_or(&[]).to_vec();
        let mut encoder = gif::Encoder::new(&mut out, decoder.width(), decoder.height(), &palette)
            .map_err(|e| ImageError::Invalid(e.to_string()))?;
        encoder
            .set_repeat(decoder.repeat())
            .map_err(|e| ImageError::Invalid(e.to_string()))?;
        // Each frame costs a viewer the whole canvas, however small the frame is.
        let canvas = u64::from(width) * u64::from(height);
        let mut frames = 0u64;
        while let Some(frame) = decoder.read_next_frame().map_err(invalid)? {
            frames += 1;
            if frames > MAX_GIF_FRAMES || frames * canvas > limits.max_pixels {
                return Err(ImageError::TooLarge(format!(
                    "over {MAX_GIF_FRAMES} frames or {} pixels of frames",
                    limits.max_pixels
                )));
            }
            encoder
                .write_frame(frame)
                .map_err(|e| ImageError::Invalid(e.to_string()))?;
        }
        if frames == 0 {
            return Err(ImageError::Invalid("it has no frames".into()));
        }
    }
    // The first frame, composed by the image crate, for the thumbnail.
    file.seek(SeekFrom::Start(0))
        .map_err(|e| ImageError::Invalid(e.to_string()))?;
    let mut reader = ImageReader::with_format(BufReader::new(file), ImageFormat::Gif);
    reader.limits(decoder_limits(limits));
    let first = reader.decode().map_err(refusal)?;
    let (thumbnail, thumbnail_type) = thumbnail_of(&first)?;
    Ok(Processed {
        bytes: out,
        content_type: "image/gif",
        width,
        height,
        thumbnail,
        thumbnail_type,
    })
}

/// The first [`SNIFF_LEN`] bytes of a file (fewer if it is shorter).
pub fn head_of(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    File::open(path)?
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(bytes).unwrap();
        f
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = DynamicImage::new_rgb8(width, height);
        encode_png(&img).unwrap()
    }

    #[test]
    fn only_four_formats_are_images_and_nothing_scriptable_is_named() {
        assert_eq!(detect(&png(2, 2)), Kind::Image(ImageFormat::Png));
        assert_eq!(detect(b"%PDF-1.4\n%..."), Kind::File("application/pdf"));
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert_eq!(detect(svg), Kind::File(OCTET_STREAM));
        assert_eq!(
            detect(b"<!DOCTYPE html><html><script>x</script>"),
            Kind::File(OCTET_STREAM)
        );
        // An ELF executable renamed photo.jpg is what its content is.
        assert!(
            matches!(detect(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0"), Kind::File(m) if m != "image/jpeg")
        );
    }

    #[test]
    fn a_large_image_gets_a_thumbnail_within_bounds() {
        let f = file_with(&png(1000, 500));
        let p = process(f.path(), ImageFormat::Png, ImageLimits::default()).unwrap();
        assert_eq!(
            (p.width, p.height, p.content_type),
            (1000, 500, "image/png")
        );
        let thumb = image::load_from_memory(&p.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 160));
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_its_pixels_are_allocated() {
        // A valid PNG header claiming 30000 × 30000 pixels (3.6 GB as RGBA).
        let f = file_with(&png_header(30_000, 30_000));
        let refused = process(f.path(), ImageFormat::Png, ImageLimits::default()).unwrap_err();
        assert!(matches!(refused, ImageError::TooLarge(_)), "{refused:?}");
        // A complete 10000 × 10000 PNG of 1-bit pixels: 100 million pixels from a file of
        // a few kilobytes.
        let f = bomb(10_000);
        assert!(f.as_file().metadata().unwrap().len() < 100_000);
        let refused = process(f.path(), ImageFormat::Png, ImageLimits::default()).unwrap_err();
        assert!(matches!(refused, ImageError::TooLarge(_)), "{refused:?}");
    }

    /// A `side` × `side` black PNG, 1 bit per pixel, written row by row.
    pub(crate) fn bomb(side: u32) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        let mut enc = png::Encoder::new(f.reopen().unwrap(), side, side);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::One);
        enc.set_compression(png::Compression::Fast);
        let mut w = enc.write_header().unwrap().into_stream_writer().unwrap();
        let row = vec![0u8; side.div_ceil(8) as usize];
        for _ in 0..side {
            w.write_all(&row).unwrap();
        }
        w.finish().unwrap();
        f
    }

    /// A PNG signature and IHDR chunk for an RGB image of this size, and nothing more.
    pub(crate) fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend_from_slice(&13u32.to_be_bytes());
        let mut chunk = b"IHDR".to_vec();
        chunk.extend_from_slice(&ihdr);
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_gif_of_too_many_frames_is_refused() {
        let mut gif_bytes = Vec::new();
        {
            let mut enc =
                gif::Encoder::new(&mut gif_bytes, 1, 1, &[0, 0, 0, 255, 255, 255]).unwrap();
            for _ in 0..=MAX_GIF_FRAMES {
                let frame = gif::Frame {
                    width: 1,
                    height: 1,
                    buffer: std::borrow::Cow::Owned(vec![0]),
                    ..gif::Frame::default()
                };
                enc.write_frame(&frame).unwrap();
            }
        }
        let f = file_with(&gif_bytes);
        let refused = process(f.path(), ImageFormat::Gif, ImageLimits::default()).unwrap_err();
        assert!(matches!(refused, ImageError::TooLarge(_)), "{refused:?}");
    }

    #[test]
    fn an_animated_gif_keeps_its_frames_and_loses_its_comments() {
        let mut gif_bytes = Vec::new();
        {
            let palette = [0u8, 0, 0, 255, 255, 255];
            let mut enc = gif::Encoder::new(&mut gif_bytes, 4, 4, &palette).unwrap();
            enc.set_repeat(gif::Repeat::Infinite).unwrap();
            enc.write_raw_extension(gif::AnyExtension(0xfe), &[b"secret comment"])
                .unwrap();
            for i in 0..3u8 {
                let frame = gif::Frame {
                    width: 4,
                    height: 4,
                    delay: 10,
                    buffer: std::borrow::Cow::Owned(vec![i % 2; 16]),
                    ..gif::Frame::default()
                };
                enc.write_frame(&frame).unwrap();
            }
        }
        assert!(gif_bytes.windows(14).any(|w| w == b"secret comment"));
        let f = file_with(&gif_bytes);
        let p = process(f.path(), ImageFormat::Gif, ImageLimits::default()).unwrap();
        assert!(!p.bytes.windows(14).any(|w| w == b"secret comment"));
        let mut d = gif::DecodeOptions::new().read_info(&p.bytes[..]).unwrap();
        let mut frames = 0;
        while let Some(f) = d.read_next_frame().unwrap() {
            assert_eq!(f.delay, 10);
            frames += 1;
        }
        assert_eq!(frames, 3);
    }
}
