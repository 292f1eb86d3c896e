/*
 * Lossless JBIG2 generic-region coding (ITU-T T.88), as a CPython extension.
 *
 * What it codes: one bilevel bitmap as the data of an immediate lossless generic region
 * segment (T.88 7.4.6): arithmetic coding (MMR = 0), template 0 (GBTEMPLATE = 0) with the
 * nominal adaptive pixels A1 = (3,-1), A2 = (-3,-1), A3 = (2,-2), A4 = (-2,-2), and typical
 * prediction (TPGDON = 1). The segment headers around it are written in Python
 * (desa_capil/scan/jbig2.py). No symbol dictionary, no text region: every pixel is coded as it
 * is, so the decoded page is the encoded page, bit for bit (never a look-alike glyph).
 *
 * The MQ coder is T.88 Annex E (E.2, the encoder; the same coder as JPEG 2000's), with the
 * usual software conventions: C register with a carry bit, byte stuffing after 0xFF, and the
 * 0xFF 0xAC marker after FLUSH.
 *
 * Python API: encode_generic(data, width, height, stride) -> bytes
 *   data: packed rows, most significant bit first, 1 = black (JBIG2's convention), each row
 *   `stride` bytes (bits past `width` are ignored). The GIL is released while coding.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Table E.1: Qe value, next index after an MPS / after an LPS, and whether an LPS swaps the MPS. */
static const struct {
    uint16_t qe;
    uint8_t nmps, nlps, swtch;
} QE[47] = {
    {0x5601, 1, 1, 1},   {0x3401, 2, 6, 0},   {0x1801, 3, 9, 0},   {0x0AC1, 4, 12, 0},
    {0x0521, 5, 29, 0},  {0x0221, 38, 33, 0}, {0x5601, 7, 6, 1},   {0x5401, 8, 14, 0},
    {0x4801, 9, 14, 0},  {0x3801, 10, 14, 0}, {0x3001, 11, 17, 0}, {0x2401, 12, 18, 0},
    {0x1C01, 13, 20, 0}, {0x1601, 29, 21, 0}, {0x5601, 15, 14, 1}, {0x5401, 16, 14, 0},
    {0x5101, 17, 15, 0}, {0x4801, 18, 16, 0}, {0x3801, 19, 17, 0}, {0x3401, 20, 18, 0},
    {0x3001, 21, 19, 0}, {0x2801, 22, 19, 0}, {0x2401, 23, 20, 0}, {0x2201, 24, 21, 0},
    {0x1C01, 25, 22, 0}, {0x1801, 26, 23, 0}, {0x1601, 27, 24, 0}, {0x1401, 28, 25, 0},
    {0x1201, 29, 26, 0}, {0x1101, 30, 27, 0}, {0x0AC1, 31, 28, 0}, {0x09C1, 32, 29, 0},
    {0x08A1, 33, 30, 0}, {0x0521, 34, 31, 0}, {0x0441, 35, 32, 0}, {0x02A1, 36, 33, 0},
    {0x0221, 37, 34, 0}, {0x0141, 38, 35, 0}, {0x0111, 39, 36, 0}, {0x0085, 40, 37, 0},
    {0x0049, 41, 38, 0}, {0x0025, 42, 39, 0}, {0x0015, 43, 40, 0}, {0x0009, 44, 41, 0},
    {0x0005, 45, 42, 0}, {0x0001, 45, 43, 0}, {0x5601, 46, 46, 0},
};

/* Template 0 has 16 context bits: 65536 contexts, each a state index (7 bits) and its MPS. */
#define NCTX 65536
/* T.88 6.2.5.7: the context that codes SLTP ("this row repeats the row above") in template 0. */
#define TPGDON_CX0 0x9B25

typedef struct {
    uint32_t a, c;  /* interval size and code register */
    int ct;         /* shifts until the next byte goes out */
    int b;          /* the byte being built (may still take a carry) */
    int have_b;     /* 0 before the first byte: the "byte before the start" is never written */
    uint8_t *out;
    size_t len, cap;
    int failed;     /* out of memory */
    uint8_t index[NCTX];
    uint8_t mps[NCTX];
} MQ;

static void put(MQ *e, int byte) {
    if (e->len == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 4096;
        uint8_t *p = realloc(e->out, cap);
        if (!p) {
            e->failed = 1;
            return;
        }
        e->out = p;
        e->cap = cap;
    }
    e->out[e->len++] = (uint8_t)byte;
}

/* BP = BP + 1 and B = value: the finished byte B is written, the new one starts. */
static void advance(MQ *e, int value) {
    if (e->have_b)
        put(e, e->b);
    e->have_b = 1;
    e->b = value;
}

/* Figure E.7 BYTEOUT, with bit stuffing after 0xFF and carry propagation into B. */
static void byteout(MQ *e) {
    if (e->b == 0xFF) {
        advance(e, (int)(e->c >> 20));
        e->c &= 0xFFFFF;
        e->ct = 7;
    } else if (e->c < 0x8000000) {
        advance(e, (int)(e->c >> 19));
        e->c &= 0x7FFFF;
        e->ct = 8;
    } else {
        e->b++;
        if (e->b == 0xFF) {
            e->c &= 0x7FFFFFF;
            advance(e, (int)(e->c >> 20));
            e->c &= 0xFFFFF;
            e->ct = 7;
        } else {
            advance(e, (int)(e->c >> 19));
            e->c &= 0x7FFFF;
            e->ct = 8;
        }
    }
}

/* Figure E.8 RENORME */
static void renorme(MQ *e) {
    do {
        e->a <<= 1;
        e->c <<= 1;
        if (--e->ct == 0)
            byteout(e);
    } while ((e->a & 0x8000) == 0);
}

/* Figures E.3-E.6: ENCODE, CODEMPS and CODELPS for one decision `d` in context `cx`. */
static inline void encode(MQ *e, int cx, int d) {
    int i = e->index[cx];
    uint32_t qe = QE[i].qe;
    e->a -= qe;
    if (d == e->mps[cx]) {
        if ((e->a & 0x8000) == 0) {
            if (e->a < qe)
                e->a = qe;
            else
                e->c += qe;
            e->index[cx] = QE[i].nmps;
            renorme(e);
        } else {
            e->c += qe;
        }
    } else {
        if (e->a < qe)
            e->c += qe;
        else
            e->a = qe;
        if (QE[i].swtch)
            e->mps[cx] ^= 1;
        e->index[cx] = QE[i].nlps;
        renorme(e);
    }
}

/* Figure E.9 INITENC (all contexts start at index 0, MPS 0). */
static void initenc(MQ *e) {
    e->a = 0x8000;
    e->c = 0;
    e->ct = 12;
    e->b = 0;
    e->have_b = 0;
    e->out = NULL;
    e->len = e->cap = 0;
    e->failed = 0;
    memset(e->index, 0, sizeof e->index);
    memset(e->mps, 0, sizeof e->mps);
}

/* Figures E.10-E.11 FLUSH and SETBITS, then the 0xFF 0xAC end marker. */
static void flush(MQ *e) {
    uint32_t tempc = e->c + e->a;
    e->c |= 0xFFFF;
    if (e->c >= tempc)
        e->c -= 0x8000;
    e->c <<= e->ct;
    byteout(e);
    e->c <<= e->ct;
    byteout(e);
    if (e->b != 0xFF)
        advance(e, 0xFF); /* a last byte 0xFF is the marker's first byte already */
    advance(e, 0xAC);
    put(e, e->b);
}

/*
 * T.88 6.2.5.3 and Figure 3, template 0. With the nominal AT pixels the template is three
 * runs of neighbours: row y-2 from x-2 to x+2 (A4, three fixed pixels, A3), row y-1 from x-3
 * to x+3 (A2, five fixed pixels, A1) and row y from x-4 to x-1. Bit numbers are those of the
 * decoders' CONTEXT (jbig2dec's jbig2_decode_generic_template0_unopt, T.88 Figure 3):
 *   row y:   x-1 -> bit 0 ... x-4 -> bit 3
 *   row y-1: x+3 (A1) -> bit 4, x+2 -> 5, x+1 -> 6, x -> 7, x-1 -> 8, x-2 -> 9, x-3 (A2) -> 10
 *   row y-2: x+2 (A3) -> bit 11, x+1 -> 12, x -> 13, x-1 -> 14, x-2 (A4) -> 15
 * so each run, newest pixel first, fills consecutive bits. The numbering matters because the
 * SLTP context TPGDON_CX0 is one of these contexts and shares its state.
 *
 * Rows are unpacked to one byte a pixel with PAD zero pixels on each side; two zero rows
 * stand above the first row (pixels outside the bitmap are 0, T.88 6.2.5.2).
 */
#define PAD 4

static int code_bitmap(MQ *e, const uint8_t *data, int width, int height, Py_ssize_t stride) {
    size_t rowlen = (size_t)width + 2 * PAD;
    uint8_t *buf = calloc(3 * rowlen, 1);
    if (!buf)
        return -1;
    uint8_t *r2 = buf, *r1 = buf + rowlen, *r0 = buf + 2 * rowlen; /* rows y-2, y-1, y */
    int ltp = 0;
    initenc(e);
    for (int y = 0; y < height; y++) {
        const uint8_t *src = data + (size_t)y * (size_t)stride;
        uint8_t *row = r0 + PAD;
        for (int x = 0; x < width; x++)
            row[x] = (src[x >> 3] >> (7 - (x & 7))) & 1;
        /* Typical prediction: SLTP says whether LTP ("row = row above") changes. */
        int same = memcmp(r0 + PAD, r1 + PAD, (size_t)width) == 0;
        encode(e, TPGDON_CX0, same != ltp);
        ltp = same;
        if (!same) {
            const uint8_t *p2 = r2 + PAD, *p1 = r1 + PAD, *p0 = r0 + PAD;
            /* Windows as they stand for x = 0 (pixels left of the bitmap are 0). */
            uint32_t w2 = ((uint32_t)p2[0] << 2) | ((uint32_t)p2[1] << 1) | p2[2];
            uint32_t w1 = ((uint32_t)p1[0] << 3) | ((uint32_t)p1[1] << 2) | ((uint32_t)p1[2] << 1) | p1[3];
            uint32_t w0 = 0;
            for (int x = 0; x < width; x++) {
                int cx = (int)(w0 | (w1 << 4) | (w2 << 11));
                int pix = p0[x];
                encode(e, cx, pix);
                w0 = ((w0 << 1) | (uint32_t)pix) & 0xF;
                w1 = ((w1 << 1) | p1[x + 4]) & 0x7F;
                w2 = ((w2 << 1) | p2[x + 3]) & 0x1F;
            }
        }
        uint8_t *t = r2;
        r2 = r1;
        r1 = r0;
        r0 = t;
    }
    flush(e);
    free(buf);
    return e->failed ? -1 : 0;
}

static PyObject *encode_generic(PyObject *self, PyObject *args) {
    Py_buffer view;
    int width, height;
    Py_ssize_t stride;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*iin", &view, &width, &height, &stride))
        return NULL;
    /* Sizes are checked in Py_ssize_t without overflow; the coder's loops run x up to
     * width + PAD in int, so width (and height) stay well below INT_MAX. */
    if (width < 1 || height < 1 || width > INT_MAX - 16 || height > INT_MAX - 16 ||
        stride < ((Py_ssize_t)width + 7) / 8 || stride > PY_SSIZE_T_MAX / (Py_ssize_t)height ||
        view.len < stride * (Py_ssize_t)height) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "bitmap size does not match its data");
        return NULL;
    }
    MQ *e = malloc(sizeof *e);
    if (!e) {
        PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    e->out = NULL; /* code_bitmap can fail before initenc() sets these */
    e->len = e->cap = 0;
    e->failed = 0;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = code_bitmap(e, view.buf, width, height, stride);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    PyObject *result = rc == 0 ? PyBytes_FromStringAndSize((const char *)e->out, (Py_ssize_t)e->len)
                               : PyErr_NoMemory();
    free(e->out);
    free(e);
    return result;
}

static PyMethodDef methods[] = {
    {"encode_generic", encode_generic, METH_VARARGS,
     "encode_generic(data, width, height, stride) -> bytes\n\n"
     "Lossless JBIG2 generic-region data (MQ coder, template 0, nominal AT pixels, TPGDON)\n"
     "of a bitmap given as packed rows, MSB first, 1 = black."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_jbig2", NULL, -1, methods};

PyMODINIT_FUNC PyInit__jbig2(void) { return PyModule_Create(&module); }
