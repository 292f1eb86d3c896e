"""Page sources: every accepted file type gives pages; every bad file gives a clear message."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image
from scan_pages import jpeg_bytes, text_page

from desa_capil.errors import BadInputError
from desa_capil.scan import sources
from desa_capil.scan.sources import from_camera, import_bytes, import_file, iter_file


def _save(img: Image.Image, path: Path, fmt: str, **kw: object) -> Path:
    img.save(path, fmt, **kw)
    return path


def _pdf(pages: int, size_pt: tuple[float, float] = (595, 842)) -> bytes:
    doc = pdfium.PdfDocument.new()
    for _ in range(pages):
        doc.new_page(*size_pt)
    buf = io.BytesIO()
    doc.save(buf)
    doc.close()
    return buf.getvalue()


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}


@pytest.mark.parametrize("fmt,ext", [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp"), ("BMP", "bmp")])
def test_single_image_formats(tmp_path: Path, fmt: str, ext: str) -> None:
    img = text_page().convert("RGB")
    path = _save(img, tmp_path / f"page.{ext}", fmt, dpi=(150, 150)) if fmt != "WEBP" else None
    if path is None:
        path = _save(img, tmp_path / f"page.{ext}", fmt)
    pages = import_file(path)
    assert len(pages) == 1
    p = pages[0]
    assert p.image.size == img.size
    assert p.image.mode in ("RGB", "L")
    assert p.source == "file"
    assert p.origin_name == f"page.{ext}"


def test_scan_with_dpi_is_not_a_photo_and_keeps_dpi(tmp_path: Path) -> None:
    path = _save(text_page(), tmp_path / "scan.png", "PNG", dpi=(150, 150))
    (p,) = import_file(path)
    assert not p.is_photo
    assert p.dpi == pytest.approx(150, abs=0.5)


def test_messenger_jpeg_without_exif_or_dpi_is_a_photo(tmp_path: Path) -> None:
    path = tmp_path / "IMG-20250101-WA0001.jpg"
    path.write_bytes(jpeg_bytes(text_page().convert("RGB")))
    (p,) = import_file(path)
    assert p.is_photo
    assert p.dpi is None


def test_camera_exif_marks_photo_even_with_dpi(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8769)[0x829A] = 0.01  # exposure time: only a camera writes it
    path = tmp_path / "cam.jpg"
    text_page().convert("RGB").save(path, "JPEG", exif=exif, dpi=(300, 300))
    (p,) = import_file(path)
    assert p.is_photo


def test_scanner_that_names_its_maker_is_still_a_scan(tmp_path: Path) -> None:
    # Flatbed scanners write Make/Model too (issue 12: a KTP scanned on one became a photo
    # and was sized as a 13-inch page).
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "CanoScan LiDE 300"
    path = tmp_path / "scan.jpg"
    text_page().convert("RGB").save(path, "JPEG", exif=exif, dpi=(300, 300))
    (p,) = import_file(path)
    assert not p.is_photo and p.dpi == 300
    # The same maker without a believable resolution (a phone writes 72 dpi): a photo.
    text_page().convert("RGB").save(path, "JPEG", exif=exif, dpi=(72, 72))
    (p,) = import_file(path)
    assert p.is_photo


def test_multipage_tiff_gives_each_frame(tmp_path: Path) -> None:
    frames = [text_page(seed=i) for i in range(3)]
    path = tmp_path / "batch.tif"
    frames[0].save(
        path, "TIFF", save_all=True, append_images=frames[1:], dpi=(150, 150), compression="tiff_lzw"
    )
    pages = import_file(path)
    assert [p.index for p in pages] == [0, 1, 2]
    assert all(p.count == 3 for p in pages)
    # Each frame is its own picture, not the first one three times.
    assert pages[0].image.tobytes() != pages[1].image.tobytes()
    assert pages[2].image.tobytes() == frames[2].tobytes()


def test_tiff_with_too_many_frames_is_refused(tmp_path: Path) -> None:
    small = [Image.new("L", (20, 20), i) for i in range(6)]
    path = tmp_path / "many.tif"
    small[0].save(path, "TIFF", save_all=True, append_images=small[1:])
    with pytest.raises(BadInputError) as e:
        import_file(path, max_pages=5)
    assert "6 halaman" in e.value.message_id


def test_pdf_pages_rendered_at_requested_dpi(tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(_pdf(3))
    pages = import_file(path, pdf_dpi=100)
    assert len(pages) == 3
    p = pages[0]
    assert p.source == "pdf" and not p.is_photo
    assert p.dpi == pytest.approx(100)
    w, h = p.image.size
    assert abs(w - 595 * 100 / 72) <= 1 and abs(h - 842 * 100 / 72) <= 1


def test_pdf_with_200_pages_is_refused_before_rendering(tmp_path: Path) -> None:
    path = tmp_path / "tebal.pdf"
    path.write_bytes(_pdf(200))
    with pytest.raises(BadInputError) as e:
        iter_file(path)  # refused when the iterator is made, before any page is drawn
    assert "200 halaman" in e.value.message_id
    assert "50" in e.value.message_id
    assert "200 pages" in e.value.message_en


def test_huge_pdf_page_is_rendered_within_the_pixel_cap(tmp_path: Path) -> None:
    path = tmp_path / "poster.pdf"
    path.write_bytes(_pdf(1, (72 * 40, 72 * 40)))  # 40 x 40 inches
    (p,) = import_file(path, max_pixels=4_000_000)
    assert p.image.size[0] * p.image.size[1] <= 4_000_000


def test_password_protected_pdf(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    path = tmp_path / "rahasia.pdf"
    pdf.save(path, encryption=pikepdf.Encryption(user="1234", owner="5678"))
    with pytest.raises(BadInputError) as e:
        import_file(path)
    assert "kata sandi" in e.value.message_id
    assert "password" in e.value.message_en


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny, valid-looking PNG whose header claims ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    "name,data,needle",
    [
        ("kosong.jpg", b"", "kosong"),
        ("catatan.jpg", b"ini bukan gambar, hanya teks\n" * 10, "bukan gambar"),
        ("bom.png", _png_claiming(60_000, 60_000), "tidak aman"),  # Pillow's own bomb limit
        ("besar.png", _png_claiming(10_000, 9_000), "terlalu besar"),  # above our 80 MP cap
        ("foto.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC"),
        ("rusak.pdf", b"%PDF-1.7\n1 0 obj garbage", "rusak"),
        ("kosong.pdf", b"%PDF-1.4\n%%EOF\n", "rusak"),
    ],
)
def test_bad_inputs_give_indonesian_message_and_change_nothing(
    tmp_path: Path, name: str, data: bytes, needle: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = _snapshot(tmp_path)
    with pytest.raises(BadInputError) as e:
        import_file(path)
    assert needle in e.value.message_id
    assert e.value.message_en and e.value.message_en != e.value.message_id
    assert _snapshot(tmp_path) == before


def test_truncated_jpeg(tmp_path: Path) -> None:
    data = jpeg_bytes(text_page().convert("RGB"), quality=90)
    path = tmp_path / "terpotong.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(BadInputError) as e:
        import_file(path)
    assert "rusak atau terpotong" in e.value.message_id


def test_truncated_png(tmp_path: Path) -> None:
    buf = io.BytesIO()
    text_page().save(buf, "PNG")
    path = tmp_path / "terpotong.png"
    path.write_bytes(buf.getvalue()[:3000])
    with pytest.raises(BadInputError):
        import_file(path)


def test_huge_real_image_is_refused_by_pixel_cap(tmp_path: Path) -> None:
    path = _save(Image.new("L", (3000, 2000), 255), tmp_path / "lebar.png", "PNG")
    with pytest.raises(BadInputError) as e:
        import_file(path, max_pixels=5_000_000)
    assert "3000\u00d72000" in e.value.message_id


def test_file_above_byte_limit(tmp_path: Path) -> None:
    path = _save(text_page(), tmp_path / "a.png", "PNG")
    with pytest.raises(BadInputError) as e:
        import_file(path, max_bytes=100)
    assert "terlalu besar" in e.value.message_id


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as e:
        import_file(tmp_path / "tidak-ada.jpg")
    assert "tidak dapat dibuka" in e.value.message_id


def test_camera_frame_from_jpeg_bytes_and_image() -> None:
    data = jpeg_bytes(text_page().convert("RGB"), dpi=(300, 300))
    p = from_camera(data)
    assert p.is_photo and p.source == "camera" and p.dpi is None
    q = from_camera(text_page().convert("RGB"))
    assert q.is_photo and q.image.size == (1240, 1754)


def test_transparent_png_is_put_on_white(tmp_path: Path) -> None:
    img = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    img.paste((0, 0, 0, 255), (10, 10, 20, 20))
    (p,) = import_bytes(_to_bytes(img, "PNG"), "t.png")
    assert p.image.mode == "RGB"
    assert p.image.getpixel((50, 50)) == (255, 255, 255)
    assert p.image.getpixel((15, 15)) == (0, 0, 0)


def _to_bytes(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def test_limits_are_documented_defaults() -> None:
    assert sources.DEFAULT_MAX_PAGES == 50
    assert sources.DEFAULT_MAX_PIXELS < Image.MAX_IMAGE_PIXELS or Image.MAX_IMAGE_PIXELS is None
