"""Images: decoded and re-encoded from their pixels alone."""

from __future__ import annotations

import contextlib
import io

from PIL import Image, ImageOps, ImageSequence

from amparo.intake.scrub.kinds import PILLOW_FORMATS, FileKind, RejectedFile

# Encoder information Pillow may copy from the decoded image: only what rendering needs.
_KEEP_INFO = {"transparency", "duration", "loop", "background"}


def scrub_image(data: bytes, kind: FileKind, max_pixels: int) -> bytes:
    pillow_format = PILLOW_FORMATS[kind]
    try:
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            frames = getattr(image, "n_frames", 1) if kind is not FileKind.JPEG else 1
            # Checked before any pixel is decoded: the header alone decides.
            if image.width * image.height * max(frames, 1) > max_pixels:
                raise RejectedFile("pixels", "image has too many pixels")
            options = _encoder_options(image, kind, data)
            clean = [_clean_frame(frame) for frame in _frames(image, frames)]
            out = io.BytesIO()
            if len(clean) > 1:
                if "loop" in image.info:
                    options["loop"] = image.info["loop"]
                clean[0].save(
                    out,
                    format=pillow_format,
                    save_all=True,
                    append_images=clean[1:],
                    duration=[frame.info.get("duration", 100) for frame in clean],
                    **options,
                )
            else:
                clean[0].save(out, format=pillow_format, **options)
            return out.getvalue()
    except (RejectedFile, MemoryError):
        raise  # MemoryError: the sandbox's bound, reported as such
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise RejectedFile("pixels", "image has too many pixels") from None
    except Exception as error:  # hostile input: decoders raise anything
        # Only the type: decoder messages can quote bytes of the file.
        raise RejectedFile("corrupt", f"image did not decode ({type(error).__name__})") from None


def _frames(image: Image.Image, frames: int) -> list[Image.Image]:
    if frames <= 1:
        image.load()  # truncated files fail here, not half-way through saving
        return [image]
    return [frame.copy() for frame in ImageSequence.Iterator(image)]


def _clean_frame(frame: Image.Image) -> Image.Image:
    # Apply the EXIF orientation to the pixels: the tag that held it is about to go. In
    # place, so that an upright photo is never copied (64 Mpx is 200 MB). A malformed
    # EXIF block must not lose the picture: it is then kept as it was taken.
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(frame, in_place=True)
    # Everything Pillow keeps in info (EXIF, XMP, ICC profile, comments, text chunks) is
    # written back by some encoder if left there; keep only what rendering needs.
    frame.info = {key: value for key, value in frame.info.items() if key in _KEEP_INFO}
    return frame


def _encoder_options(image: Image.Image, kind: FileKind, data: bytes) -> dict[str, object]:
    if kind is FileKind.JPEG:
        from PIL import JpegImagePlugin

        options: dict[str, object] = {"quality": 95}
        sampling = JpegImagePlugin.get_sampling(image)
        if sampling != -1:
            options["subsampling"] = sampling
        return options
    if kind is FileKind.WEBP:
        # A lossless original (VP8L) stays lossless; lossy ones are re-encoded finely.
        return {"lossless": True} if b"VP8L" in data[:4096] else {"quality": 95}
    return {}
