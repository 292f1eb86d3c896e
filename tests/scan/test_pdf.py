"""Document PDFs: page count, order, sizes, and page images embedded byte for byte."""

from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image
from scan_pages import text_page, with_stamp

from desa_capil.errors import BadInputError
from desa_capil.scan.pdf import assemble_pdf, page_count, render_page
from desa_capil.scan.pipeline import ProcessedPage, process
from desa_capil.scan.sources import RawPage, import_bytes


def _raw(img: Image.Image) -> RawPage:
    return RawPage(img, "scanner", "t", False, 150)


@pytest.fixture(scope="module")
def pages(jbig2_coder: bool) -> list[ProcessedPage]:
    if not jbig2_coder:
        pytest.skip("the JBIG2 coder is not built (no C compiler)")
    return [
        process(_raw(text_page(seed=1))),  # bilevel: a one-page PDF of one JBIG2 image
        process(_raw(with_stamp(text_page(seed=2)))),  # mixed: JBIG2 layers + colour
        process(_raw(text_page(seed=3)), mode="color"),  # full-page JPEG
    ]


def _images(pdf: pikepdf.Pdf) -> list[list[pikepdf.PdfImage]]:
    return [[pikepdf.PdfImage(obj) for obj in page.get_images().values()] for page in pdf.pages]


def test_mixed_modes_in_one_pdf_without_reencoding(pages: list[ProcessedPage]) -> None:
    assert [p.mime for p in pages] == ["application/pdf", "application/pdf", "image/jpeg"]
    data = assemble_pdf(pages)
    assert page_count(data) == 3
    pdf = pikepdf.open(io.BytesIO(data))
    imgs = _images(pdf)

    # Page 1: the JBIG2 stream of the one-page PDF, as it is.
    (jb2,) = pdf.pages[0].Resources.XObject.values()
    assert jb2.Filter == "/JBIG2Decode" and jb2.ImageMask is True
    own = pikepdf.open(io.BytesIO(pages[0].data))
    (stored,) = own.pages[0].Resources.XObject.values()
    assert jb2.read_raw_bytes() == stored.read_raw_bytes()

    # Page 2, mixed raster: the page's black ink (a JBIG2 stencil) and the stamp's colour (a
    # small JPEG) painted through the stamp's own JBIG2 mask; every stream copied from the
    # one-page PDF as it is.
    def streams(page: pikepdf.Page) -> list[tuple[str, bytes]]:
        out = []
        for xobj in page.Resources.XObject.values():
            out.append((str(xobj.Filter), bytes(xobj.read_raw_bytes())))
            if "/Mask" in xobj:
                out.append((str(xobj.Mask.Filter), bytes(xobj.Mask.read_raw_bytes())))
        return sorted(out)

    src = pikepdf.open(io.BytesIO(pages[1].data))
    assert streams(pdf.pages[1]) == streams(src.pages[0])
    assert [f for f, _ in streams(pdf.pages[1])] == ["/DCTDecode", "/JBIG2Decode", "/JBIG2Decode"]
    colour = [x for x in pdf.pages[1].Resources.XObject.values() if x.Filter == "/DCTDecode"][0]
    assert colour.Mask.ImageMask is True

    # Page 3: the JPEG file itself.
    (jpg,) = imgs[2]
    assert jpg.filters == ["/DCTDecode"]
    assert jpg.obj.read_raw_bytes() == pages[2].data

    # A4 at the dpi written in each image: 595 x 842 points, whatever the mode.
    for page in pdf.pages:
        box = [float(v) for v in page.MediaBox]
        assert box[2] == pytest.approx(595, abs=4) and box[3] == pytest.approx(842, abs=4)


def test_page_order_is_kept(pages: list[ProcessedPage]) -> None:
    data = assemble_pdf([pages[2], pages[0]])
    pdf = pikepdf.open(io.BytesIO(data))
    first = _images(pdf)[0][0]
    assert first.filters == ["/DCTDecode"]


def test_stored_pairs_and_single_page(pages: list[ProcessedPage]) -> None:
    data = assemble_pdf([(pages[0].data, pages[0].mime)])
    assert page_count(data) == 1


def test_same_pages_same_pdf(pages: list[ProcessedPage]) -> None:
    assert assemble_pdf(pages) == assemble_pdf(pages)


def test_assembled_pdf_reads_back_as_pages(pages: list[ProcessedPage]) -> None:
    back = import_bytes(assemble_pdf(pages), "berkas.pdf", pdf_dpi=50)
    assert len(back) == 3
    # The stamp page renders with colour in it.
    r, g, b = back[1].image.split()
    assert max(b.getextrema()[1] - r.getextrema()[0], 0) > 0
    colour_img = render_page(pages[1].data, 50)
    assert colour_img.mode == "RGB"


def test_no_pages() -> None:
    with pytest.raises(BadInputError):
        assemble_pdf([])
