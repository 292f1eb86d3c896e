/*
 * Lossless JBIG2 coding (ITU-T T.88), as a CPython extension. Two codings of a bilevel page;
 * the segment headers around their data are written in Python (desa_capil/scan/jbig2.py).
 *
 * encode_generic: the data of an immediate lossless generic region segment (T.88 7.4.6):
 * arithmetic coding (MMR = 0), template 2 (GBTEMPLATE = 2, 10 pixels) with the nominal
 * adaptive pixel A1 = (2,-1), and typical prediction (TPGDON = 1).
 *
 * encode_text: the page's 8-connected components (runs joined by union-find) up to
 * `maxglyph` square are glyphs; the others go to a generic region over their bounding box.
 * Each glyph, in reading order, is matched against the symbols so far of about its size
 * (width and height within 2, centres aligned; the closest within `permille` of its pixels,
 * of up to MAX_CANDIDATES, another size only CLASS_SIZE_MARGIN pixels closer than its own) or
 * becomes a new symbol; each symbol is then replaced
 * by the pixel-wise majority of its class (its prototype). The data of
 *   - a symbol dictionary segment (6.5; arithmetic, no refinement/aggregation): the
 *     prototypes unlike any earlier one, by height class, each bitmap a generic region
 *     (template 1, nominal AT, contexts shared), all exported;
 *   - a second symbol dictionary segment on the first (SDREFAGG = 1), when some prototype is
 *     close to an earlier one (COARSE_PERCENT of its box) and has more than three glyphs (fewer
 *     are refined in the text region from that symbol instead): each such prototype as a
 *     refinement of it (REFAGGNINST = 1, 6.5.8.2.2), chains included; and the glyphs
 *     promoted to symbols of their own (see promote()); its own new symbols exported. Its
 *     symbols go by generation (a reference is always decoded before the symbols refined
 *     from it), then height class: height classes go down at a new generation (HCDH < 0,
 *     which T.88's own Huffman tables for DH allow);
 *   - a text region segment (6.4; arithmetic, SBREFINE = 1, REFCORNER bottom-left, strips of
 *     2^logstrips rows): every glyph placed as a symbol (RI = 0) when it is exactly the
 *     symbol's pixels, else as a refinement (RI = 1, 6.4.11; refinement template 1) that codes
 *     the glyph's own pixels from the closest symbol of about its size, of any class (see
 *     reassign()).
 * So the decoded page is the encoded page, bit for bit: classification only chooses what a
 * glyph is coded FROM, never what it becomes (no lossy symbol substitution, never a look-alike
 * glyph). The integer and symbol ID codes are the encoders of Annex A.2 and A.3.
 *
 * The MQ coder is T.88 Annex E (E.2, the encoder; the same coder as JPEG 2000's), with the
 * usual software conventions: C register with a carry bit, byte stuffing after 0xFF, and the
 * 0xFF 0xAC marker after FLUSH.
 *
 * Bitmaps: packed rows, most significant bit first, 1 = black (JBIG2's convention), each row
 * `stride` bytes (bits past `width` are ignored). The GIL is released while coding. Every
 * size is checked before use; out of memory raises MemoryError, and a page too noisy or too
 * big for glyph coding (more than MAX_RUNS runs, MAX_ARENA bytes of glyphs) makes encode_text
 * return None (the caller uses the generic region).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <limits.h>
#include <stddef.h>
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

/* Template 0 of the generic region has 16 context bits: 65536 contexts. Every context is one
 * byte, its state index (Table E.1) times 2 plus its MPS; all start at 0 (index 0, MPS 0). */
#define NCTX 65536
/* T.88 6.2.5.7: the context that codes SLTP ("this row repeats the row above") in template 2. */
#define TPGDON_CX2 0x00E5
/* Refinement template 1 (T.88 6.3.5.3, Figure 13) has 10 context bits. */
#define NGRCTX 1024
/* Each integer arithmetic decoding procedure (T.88 Annex A.2) has 512 contexts. */
#define NIACTX 512

typedef struct {
    uint32_t a, c;  /* interval size and code register */
    int ct;         /* shifts until the next byte goes out */
    int b;          /* the byte being built (may still take a carry) */
    int have_b;     /* 0 before the first byte: the "byte before the start" is never written */
    uint8_t *out;
    size_t len, cap;
    int failed;     /* out of memory */
} MQ;

static void put(MQ *e, int byte) {
    if (e->failed)
        return;
    if (e->len == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 4096;
        uint8_t *p = cap > e->cap ? realloc(e->out, cap) : NULL;
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

/* Debug builds only (-DJBIG2_STATS, never in the product): the bits each part of a text
 * coding costs, exactly -log2 of the interval share each decision takes (the flush aside), for
 * benchmarks/jbig2_breakdown.py. */
#ifdef JBIG2_STATS
#define TUNABLE static
#include <math.h>
enum {
    ST_SD1_SIZES, ST_SD1_BITMAPS, ST_SD2_SIZES, ST_SD2_REF, ST_SD2_BITMAPS, ST_TR_DT, ST_TR_FS,
    ST_TR_DS, ST_TR_ID, ST_TR_RI, ST_TR_RDIMS, ST_TR_REFINE, ST_REST, ST_GENERIC,
    /* the order-0 entropy of the instances' symbols (bits), then counts (n_*) */
    ST_PROMOTED, ST_ID_H0, ST_NINST, ST_NSYMS, ST_CHAINED, NSTATS
};
static const char *const STAT_NAMES[NSTATS] = {
    "sd1_sizes", "sd1_bitmaps", "sd2_sizes", "sd2_ref", "sd2_bitmaps", "tr_dt", "tr_fs",
    "tr_ds", "tr_id", "tr_ri", "tr_rdims", "tr_refine", "rest", "generic",
    "n_promoted", "tr_id_h0", "n_inst", "n_syms", "n_chained"};
static double stat_bits[NSTATS];
static int stat_part;
#define STAT(p) (stat_part = (p))
#else
#define TUNABLE static const
#define STAT(p) ((void)0)
#endif
/* Earlier symbols compared with a symbol for its reference (and 4 times as many looked at):
 * once the second dictionary's symbols are references too (chains), 24 missed good ones;
 * 32: -0.2 % over the benchmark layers; 48: -0.1 % more (with offset_margin, the same CPU). */
TUNABLE int split_candidates = 48;
#define SPLIT_CANDIDATES split_candidates

/* Figures E.3-E.6: ENCODE, CODEMPS and CODELPS for one decision `d` in context `*cx`. */
static inline void encode(MQ *e, uint8_t *cx, int d) {
    int i = *cx >> 1, mps = *cx & 1;
    uint32_t qe = QE[i].qe;
#ifdef JBIG2_STATS
    {
        uint32_t a = e->a - qe, share = d == mps ? ((a & 0x8000) == 0 && a < qe ? qe : a) : (a < qe ? a : qe);
        stat_bits[stat_part] += log2((double)e->a / (double)share);
    }
#endif
    e->a -= qe;
    if (d == mps) {
        if ((e->a & 0x8000) == 0) {
            if (e->a < qe)
                e->a = qe;
            else
                e->c += qe;
            *cx = (uint8_t)(QE[i].nmps << 1 | mps);
            renorme(e);
        } else {
            e->c += qe;
        }
    } else {
        if (e->a < qe)
            e->c += qe;
        else
            e->a = qe;
        *cx = (uint8_t)(QE[i].nlps << 1 | (mps ^ QE[i].swtch));
        renorme(e);
    }
}

/* Figure E.9 INITENC. */
static void initenc(MQ *e) {
    e->a = 0x8000;
    e->c = 0;
    e->ct = 12;
    e->b = 0;
    e->have_b = 0;
    e->out = NULL;
    e->len = e->cap = 0;
    e->failed = 0;
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

/* The inverse of the integer arithmetic decoding procedure (T.88 A.2): the value `v`, or OOB
 * (`oob` = 1), in the 512 contexts `cx` of one procedure (IADH, IADW, IADT, ...). */
static void encode_int(MQ *e, uint8_t *cx, int32_t v, int oob) {
    static const struct {
        uint32_t below; /* values up to below - 1 take this prefix */
        int prefix_len, bits;
        uint32_t prefix, offset;
    } R[6] = {{4, 1, 2, 0x0, 0}, {20, 2, 4, 0x2, 4}, {84, 3, 6, 0x6, 20},
              {340, 4, 8, 0xE, 84}, {4436, 5, 12, 0x1E, 340}, {0, 5, 32, 0x1F, 4436}};
    int prev = 1;
    int s = oob ? 1 : v < 0;
    uint32_t mag = oob ? 0 : (v < 0 ? (uint32_t)0 - (uint32_t)v : (uint32_t)v);
    int r = 0;
    while (r < 5 && mag >= R[r].below)
        r++;
#define IABIT(d)                                                                                   \
    do {                                                                                           \
        int d_ = (d);                                                                              \
        encode(e, &cx[prev], d_);                                                                  \
        prev = prev < 256 ? (prev << 1) | d_ : (((prev << 1) | d_) & 511) | 256;                   \
    } while (0)
    IABIT(s);
    for (int i = R[r].prefix_len - 1; i >= 0; i--)
        IABIT((int)(R[r].prefix >> i) & 1);
    uint32_t rest = mag - R[r].offset;
    for (int i = R[r].bits - 1; i >= 0; i--)
        IABIT((int)(rest >> i) & 1);
#undef IABIT
}

/* The inverse of the IAID decoding procedure (T.88 A.3): `id` in `len` bits, contexts `cx`
 * (2^(len+1) of them). */
static void encode_iaid(MQ *e, uint8_t *cx, uint32_t id, int len) {
    uint32_t prev = 1;
    for (int i = len - 1; i >= 0; i--) {
        int d = (int)(id >> i) & 1;
        encode(e, &cx[prev], d);
        prev = (prev << 1) | (uint32_t)d;
    }
}

/*
 * Generic region coding, template 2 (T.88 6.2.5.3 and Figure 5), the nominal AT pixel
 * A1 = (2,-1). The template is three runs of neighbours: row y-2 from x-1 to x+1, row y-1 from
 * x-2 to x+2 (A1) and row y from x-2 to x-1. Bit numbers are those of the decoders' CONTEXT
 * (jbig2dec's jbig2_decode_generic_template2_unopt, T.88 Figure 5):
 *   row y:   x-1 -> bit 0, x-2 -> bit 1
 *   row y-1: x+2 (A1) -> bit 2, x+1 -> 3, x -> 4, x-1 -> 5, x-2 -> 6
 *   row y-2: x+1 -> bit 7, x -> 8, x-1 -> 9
 * so each run, newest pixel first, fills consecutive bits. The numbering matters because the
 * SLTP context TPGDON_CX2 is one of these contexts and shares its state. Template 2 (JB2's
 * own direct context) codes the benchmark's rest regions and whole-page generic layers 0.4 %
 * smaller than template 0's 16 pixels, whose 65536 contexts learn too slowly on them.
 *
 * The bitmap is packed rows (MSB first, 1 = black). Rows are unpacked to one byte a pixel
 * with PAD zero pixels on each side; two zero rows stand above the first row (pixels outside
 * the bitmap are 0, T.88 6.2.5.2). `cx` holds the contexts (1024 are used).
 */
#define PAD 4

static int code_generic(MQ *e, uint8_t *cx, const uint8_t *data, int width, int height, size_t stride) {
    size_t rowlen = (size_t)width + 2 * PAD;
    uint8_t *buf = calloc(3 * rowlen, 1);
    if (!buf)
        return -1;
    uint8_t *r2 = buf, *r1 = buf + rowlen, *r0 = buf + 2 * rowlen; /* rows y-2, y-1, y */
    int ltp = 0;
    for (int y = 0; y < height; y++) {
        const uint8_t *src = data + (size_t)y * stride;
        uint8_t *row = r0 + PAD;
        for (int x = 0; x < width; x++)
            row[x] = (src[x >> 3] >> (7 - (x & 7))) & 1;
        /* Typical prediction: SLTP says whether LTP ("row = row above") changes. */
        int same = memcmp(r0 + PAD, r1 + PAD, (size_t)width) == 0;
        encode(e, &cx[TPGDON_CX2], same != ltp);
        ltp = same;
        if (!same) {
            const uint8_t *p2 = r2 + PAD, *p1 = r1 + PAD, *p0 = r0 + PAD;
            /* Windows as they stand for x = 0 (pixels left of the bitmap are 0). */
            uint32_t w2 = ((uint32_t)p2[0] << 1) | p2[1];
            uint32_t w1 = ((uint32_t)p1[0] << 2) | ((uint32_t)p1[1] << 1) | p1[2];
            uint32_t w0 = 0;
            for (int x = 0; x < width; x++) {
                int pix = p0[x];
                encode(e, &cx[w0 | (w1 << 2) | (w2 << 7)], pix);
                w0 = ((w0 << 1) | (uint32_t)pix) & 0x3;
                w1 = ((w1 << 1) | p1[x + 3]) & 0x1F;
                w2 = ((w2 << 1) | p2[x + 2]) & 0x7;
            }
        }
        uint8_t *t = r2;
        r2 = r1;
        r1 = r0;
        r0 = t;
    }
    free(buf);
    return 0;
}

/* A symbol's bitmap (one byte a pixel, w x h) as a generic region in template 1 (T.88
 * 6.2.5.3, Figure 4: 13 pixels, the nominal AT pixel A1 = (3,-1)), no TPGDON. Its 8192
 * contexts learn faster than template 0's 65536 on a dictionary's small bitmaps (-0.3 % over
 * the benchmark layers). Bits as jbig2dec's jbig2_decode_generic_template1_unopt. */
static void code_symbol_bitmap(MQ *e, uint8_t *cx, const uint8_t *bits, int w, int h, uint8_t *rows) {
    /* Windows slid along three zero-padded rows, as code_generic does: row y's last three
     * pixels (bits 0-2), row y-1 from x+3 down to x-2 (bits 3-8), row y-2 from x+2 down to
     * x-1 (bits 9-12). `rows` holds 3 * (w + 2 PAD) bytes. */
    size_t rowlen = (size_t)w + 2 * PAD;
    memset(rows, 0, 3 * rowlen);
    uint8_t *r2 = rows + PAD, *r1 = r2 + rowlen, *r0 = r1 + rowlen;
    for (int y = 0; y < h; y++) {
        memcpy(r0, bits + (size_t)y * (size_t)w, (size_t)w);
        uint32_t w0 = 0, w1 = (uint32_t)r1[3] | (uint32_t)r1[2] << 1 | (uint32_t)r1[1] << 2 | (uint32_t)r1[0] << 3,
                 w2 = (uint32_t)r2[2] | (uint32_t)r2[1] << 1 | (uint32_t)r2[0] << 2;
        for (int x = 0; x < w; x++) {
            int pix = r0[x];
            encode(e, &cx[w0 | w1 << 3 | w2 << 9], pix);
            w0 = ((w0 << 1) | (uint32_t)pix) & 0x7;
            w1 = ((w1 << 1) | r1[x + 4]) & 0x3F;
            w2 = ((w2 << 1) | r2[x + 3]) & 0xF;
        }
        uint8_t *t = r2;
        r2 = r1;
        r1 = r0;
        r0 = t;
    }
}

/*
 * Generic refinement region coding, template 1 (T.88 6.3.5.3, Figure 13; no adaptive pixels),
 * TPGRON = 0: the bitmap `nb` (w x h, one byte a pixel) coded from the reference `rb`
 * (rw x rh), whose pixel (0,0) lies on pixel (dx,dy) of `nb` (GRREFERENCEDX/DY). Bits as
 * jbig2dec's jbig2_decode_refinement_template1_unopt:
 *   new:       (x-1,y) 0, (x+1,y-1) 1, (x,y-1) 2, (x-1,y-1) 3
 *   reference: (x+1,y+1) 4, (x,y+1) 5, (x+1,y) 6, (x,y) 7, (x-1,y) 8, (x,y-1) 9
 *              (reference coordinates shifted)
 * Template 0's 13 pixels (8192 contexts) learned slower: template 1 is 0.5 % smaller over
 * the benchmark layers since glyphs are refined from promoted glyphs and chains.
 * `work` holds 2 * (w + 2 RM) * (h + 2 RM) bytes.
 */
#define RM 2

static void code_refine(MQ *e, uint8_t *cx, const uint8_t *nb, int w, int h, const uint8_t *rb,
                        int rw, int rh, int dx, int dy, uint8_t *work) {
    size_t pw = (size_t)w + 2 * RM, ph = (size_t)h + 2 * RM;
    uint8_t *np = work;           /* new bitmap, rows -RM..h+RM-1, cols -RM..w+RM-1 */
    uint8_t *rp = work + pw * ph; /* reference on the same grid */
    memset(work, 0, 2 * pw * ph);
    for (int y = 0; y < h; y++)
        memcpy(np + pw * ((size_t)y + RM) + RM, nb + (size_t)y * (size_t)w, (size_t)w);
    for (int y = -RM; y < h + RM; y++) {
        int ry = y - dy;
        if (ry < 0 || ry >= rh)
            continue;
        int x0 = dx > -RM ? dx : -RM, x1 = dx + rw < w + RM ? dx + rw : w + RM; /* [x0, x1) */
        for (int x = x0; x < x1; x++)
            rp[pw * (size_t)(y + RM) + (size_t)(x + RM)] = rb[(size_t)ry * (size_t)rw + (size_t)(x - dx)];
    }
    for (int y = 0; y < h; y++) {
        const uint8_t *n0 = np + pw * ((size_t)y + RM) + RM, *n1 = n0 - pw;
        const uint8_t *q0 = rp + pw * ((size_t)y + RM) + RM, *q1 = q0 - pw, *q2 = q0 + pw;
        for (int x = 0; x < w; x++) {
            int c = n0[x - 1] | n1[x + 1] << 1 | n1[x] << 2 | n1[x - 1] << 3 | q2[x + 1] << 4 | q2[x] << 5 |
                    q0[x + 1] << 6 | q0[x] << 7 | q0[x - 1] << 8 | q1[x] << 9;
            encode(e, &cx[c], n0[x]);
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Connected components (8-connected) of a packed page, by runs and union-find.               */

typedef struct {
    int32_t y, x0, x1; /* a run of black pixels [x0, x1] on row y */
    int32_t up;        /* union-find parent, then the component number */
} Run;

typedef struct {
    int32_t x0, y0, x1, y1; /* bounding box, inclusive */
    int64_t black;          /* pixels */
    int glyph;              /* coded in the text region (else in the generic "rest" region) */
    size_t off;             /* its bitmap in the arena (glyphs) */
    size_t woff;            /* and in t->words */
    int32_t sym;            /* the symbol it is coded from */
    int64_t err;            /* pixels it differs from its class's prototype by (at dx, dy) */
    int32_t dx, dy;         /* reference offset when refined */
    int refine;             /* 0: the symbol's exact pixels */
} Comp;

typedef struct {
    int32_t comp;  /* the component whose pixels the symbol is */
    int32_t next;  /* next symbol in the same hash bucket */
    int32_t id;    /* its number in the dictionary */
    size_t poff;   /* its bitmap (the class's prototype) in t->protos */
    size_t pwoff;  /* and in t->pwords */
    int32_t ref;   /* -1: in the first dictionary (generic-coded); else in the second, refined
                      from that first-dictionary symbol, whose (0,0) is on its (rdx, rdy) */
    int32_t rdx, rdy;
    int64_t black;
    int tier;                 /* its dictionary: 0 first, 1 second (refined from another) */
    int32_t gen;              /* 0 in the first dictionary, else its reference's + 1 */
    const uint8_t *pix;       /* its bitmap, one byte a pixel (a prototype, or a glyph's own) */
    const uint64_t *wpix;     /* and for matching */
} Sym;

static int32_t find(Run *r, int32_t i) {
    int32_t root = i;
    while (r[root].up != root)
        root = r[root].up;
    while (r[i].up != root) {
        int32_t n = r[i].up;
        r[i].up = root;
        i = n;
    }
    return root;
}

static void unite(Run *r, int32_t a, int32_t b) {
    a = find(r, a);
    b = find(r, b);
    if (a < b)
        r[b].up = a;
    else if (b < a)
        r[a].up = b;
}

static int floor_half(int v) { return v >= 0 ? v / 2 : -((1 - v) / 2); }

/* The k-th size around v, k = 0..4: v, v+1, v-1, v+2, v-2 (how the matcher, the second
 * dictionary's split and reassign() walk the sizes within 2 of a glyph's, closest first). */
static int around(int v, int k) { return v + (k & 1 ? (k + 1) / 2 : -(k / 2)); }


/* Bitmaps for matching: rows of 64-bit words, pixel x in bit x % 64 of word x / 64; bits
 * past the width are 0. */
static int words_of(int w) { return (w + 63) >> 6; }

static void pack_words(const uint8_t *src, int w, int h, uint64_t *dst) {
    int nw = words_of(w);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            dst[(size_t)y * (size_t)nw + (size_t)(x >> 6)] |= (uint64_t)src[(size_t)y * (size_t)w + (size_t)x]
                                                              << (x & 63);
}

/* Pixels a to b (inclusive) of a row set. */
static void set_range(uint64_t *row, int a, int b) {
    for (int x = a; x <= b;) {
        int r = x & 63, n = b - x + 1 < 64 - r ? b - x + 1 : 64 - r;
        row[x >> 6] |= (n == 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1)) << r;
        x += n;
    }
}

/* The 64 pixels of a row from pixel s on (0 outside the row). */
static inline uint64_t bits_at(const uint64_t *row, int nw, int s) {
    if (s < 0)
        return s <= -64 ? 0 : row[0] << -s;
    int i = s >> 6, r = s & 63;
    if (i >= nw)
        return 0;
    uint64_t v = row[i] >> r;
    if (r && i + 1 < nw)
        v |= row[i + 1] << (64 - r);
    return v;
}

/* Set bits (SWAR: portable, and inline where __builtin_popcountll would call libgcc without
 * -mpopcnt). */
static inline int popcount64(uint64_t v) {
    v = v - ((v >> 1) & 0x5555555555555555ULL);
    v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
    v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (int)((v * 0x0101010101010101ULL) >> 56);
}

/* Pixels where `a` (aw x ah) and `b` (bw x bh, its (0,0) on a's (dx,dy)) differ; stops
 * counting past `limit`. */
static int64_t mismatch(const uint64_t *a, int aw, int ah, const uint64_t *b, int bw, int bh, int dx,
                        int dy, int64_t limit) {
    int64_t n = 0;
    int anw = words_of(aw), bnw = words_of(bw);
    int ux0 = dx < 0 ? dx : 0, ux1 = dx + bw > aw ? dx + bw : aw;
    int uy0 = dy < 0 ? dy : 0, uy1 = dy + bh > ah ? dy + bh : ah;
    for (int y = uy0; y < uy1; y++) {
        const uint64_t *ra = y >= 0 && y < ah ? a + (size_t)y * (size_t)anw : NULL;
        const uint64_t *rb = y - dy >= 0 && y - dy < bh ? b + (size_t)(y - dy) * (size_t)bnw : NULL;
        for (int x = ux0; x < ux1; x += 64)
            n += popcount64((ra ? bits_at(ra, anw, x) : 0) ^ (rb ? bits_at(rb, bnw, x - dx) : 0));
        if (n > limit)
            return n;
    }
    return n;
}

typedef struct {
    /* inputs */
    const uint8_t *data;
    int width, height;
    Py_ssize_t stride;
    int maxglyph, logstrips, permille;
    /* results */
    MQ sd, sd2, tr, rest;
    int32_t nsyms, nsyms1, ninst, nrefined;
    int have_rest;
    int32_t rx, ry, rw, rh;
    int status; /* 0 ok, 1 not worth it / too big (use the generic region), -1 out of memory */
    /* working memory */
    Run *runs;
    int32_t *rowstart;
    Comp *comps;
    int32_t *order;
    uint8_t *arena;
    uint8_t *protos;
    uint64_t *words, *pwords; /* glyphs and prototypes for matching */
    Sym *syms;
    int32_t *bucket;
    int32_t *byid;
    uint8_t *ctx;
    uint8_t *rbits;
} Text;

#define NBUCKET 4096
static unsigned bucket_of(int w, int h) { return ((unsigned)w * 131u + (unsigned)h) & (NBUCKET - 1); }

typedef struct {
    int32_t k1, k2, k3, idx;
} Key;

static int cmp_key(const void *pa, const void *pb) {
    const Key *a = pa, *b = pb;
    if (a->k1 != b->k1)
        return a->k1 < b->k1 ? -1 : 1;
    if (a->k2 != b->k2)
        return a->k2 < b->k2 ? -1 : 1;
    if (a->k3 != b->k3)
        return a->k3 < b->k3 ? -1 : 1;
    return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

#define MAX_RUNS ((size_t)1 << 22)      /* 4 M runs (64 MB): beyond, the page is noise */
#define MAX_ARENA ((size_t)1 << 27)     /* 128 MB of glyph pixels */
#define MAX_CANDIDATES 64               /* symbols compared with one glyph (24: +0.1 %) */
#define MAX_VISITED 256                 /* symbols looked at in one size's list (newest first) */
/* A glyph joins the class of a symbol of another size only when it differs in this many
 * pixels fewer than from any of its own size (its refinements would pay RDW/RDH; reassign()
 * still refines it from the closest symbol of any size): 0 -> 4 / 8 / 12 / 16 / only its own
 * size: -0.07 / -0.11 / -0.13 / -0.13 / -0.12 % over the benchmark layers. */
#define CLASS_SIZE_MARGIN 12

static void *grow(void *p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 1024;
    while (n < need) {
        if (n > SIZE_MAX / 2 / size)
            return NULL;
        n *= 2;
    }
    void *q = realloc(p, n * size);
    if (q)
        *cap = n;
    return q;
}

/* Append the run [x0, x1] of row y: 0, or 1 when the page has too many runs (noise), or -1
   when out of memory. */
static int push_run(Text *t, size_t *cap, size_t *n, int y, int x0, int x1) {
    if (*n >= MAX_RUNS)
        return 1;
    Run *r = grow(t->runs, cap, *n + 1, sizeof(Run));
    if (!r)
        return -1;
    t->runs = r;
    r[*n] = (Run){y, x0, x1, (int32_t)*n};
    (*n)++;
    return 0;
}

/* Connected components of the page: runs, their union, the components' boxes and pixels. */
static int find_components(Text *t, size_t *nruns_out, int32_t *ncomp_out) {
    int W = t->width, H = t->height;
    size_t nbytes = ((size_t)W + 7) / 8, n = 0, cap = 0;
    t->rowstart = malloc(sizeof(int32_t) * ((size_t)H + 1));
    if (!t->rowstart)
        return -1;
    for (int y = 0; y < H; y++) {
        const uint8_t *row = t->data + (size_t)y * (size_t)t->stride;
        size_t first = n;
        t->rowstart[y] = (int32_t)n;
        int inrun = 0, start = 0;
        for (size_t bx = 0; bx < nbytes; bx++) {
            uint8_t v = row[bx];
            if ((v == 0 && !inrun) || (v == 0xFF && inrun))
                continue;
            for (int bit = 0; bit < 8; bit++) {
                int x = (int)(bx * 8) + bit;
                if (x >= W)
                    break;
                int p = (v >> (7 - bit)) & 1;
                if (p && !inrun) {
                    inrun = 1;
                    start = x;
                } else if (!p && inrun) {
                    inrun = 0;
                    int e = push_run(t, &cap, &n, y, start, x - 1);
                    if (e)
                        return e;
                }
            }
        }
        if (inrun) {
            int e = push_run(t, &cap, &n, y, start, W - 1);
            if (e)
                return e;
        }
        /* Join with the runs of the row above (8-connected: touching at a corner counts). */
        if (y > 0) {
            size_t i = (size_t)t->rowstart[y - 1], pend = first;
            for (size_t j = first; j < n; j++) {
                while (i < pend && t->runs[i].x1 + 1 < t->runs[j].x0)
                    i++;
                for (size_t k = i; k < pend && t->runs[k].x0 <= t->runs[j].x1 + 1; k++)
                    unite(t->runs, (int32_t)k, (int32_t)j);
            }
        }
    }
    t->rowstart[H] = (int32_t)n;
    /* Every parent is an earlier run (unite() and find() keep it so) and a root is the
     * first run of its component, so one pass in order turns every parent link into the
     * component's number: the parent was already turned into it. */
    int32_t ncomp = 0;
    for (size_t i = 0; i < n; i++) {
        Run *r = &t->runs[i];
        r->up = (size_t)r->up == i ? ncomp++ : t->runs[r->up].up;
    }
    t->comps = calloc(ncomp ? (size_t)ncomp : 1, sizeof(Comp));
    if (!t->comps)
        return -1;
    for (int32_t c = 0; c < ncomp; c++) {
        t->comps[c].x0 = t->comps[c].y0 = INT32_MAX;
        t->comps[c].x1 = t->comps[c].y1 = -1;
    }
    for (size_t i = 0; i < n; i++) {
        const Run *r = &t->runs[i];
        Comp *c = &t->comps[r->up];
        if (r->x0 < c->x0)
            c->x0 = r->x0;
        if (r->x1 > c->x1)
            c->x1 = r->x1;
        if (r->y < c->y0)
            c->y0 = r->y;
        if (r->y > c->y1)
            c->y1 = r->y;
        c->black += r->x1 - r->x0 + 1;
    }
    *nruns_out = n;
    *ncomp_out = ncomp;
    return 0;
}

#define CW(c) ((c)->x1 - (c)->x0 + 1)
#define CH(c) ((c)->y1 - (c)->y0 + 1)

/* Each symbol becomes the pixel-wise majority of its class (its members aligned as they
 * were matched; a tie keeps the first member's pixel): a cleaner reference for all of them
 * than any one noisy member. Then each glyph's reference offset is the best of the matched
 * one and the 4 next to it; it is coded as the symbol itself only when it is exactly it. */
static int make_prototypes(Text *t, int32_t nglyph, int32_t nsyms) {
    size_t parea = 0, maxarea = 0;
    for (int32_t s = 0; s < nsyms; s++) {
        const Comp *sc = &t->comps[t->syms[s].comp];
        size_t a = (size_t)CW(sc) * (size_t)CH(sc);
        t->syms[s].poff = parea;
        parea += a; /* <= the arena's size */
        maxarea = a > maxarea ? a : maxarea;
    }
    int32_t *first = malloc(sizeof(int32_t) * ((size_t)nsyms + 1));
    int32_t *members = malloc(sizeof(int32_t) * (size_t)nglyph);
    uint32_t *acc = malloc(sizeof(uint32_t) * (maxarea ? maxarea : 1));
    t->protos = malloc(parea ? parea : 1);
    if (!first || !members || !acc || !t->protos) {
        free(first);
        free(members);
        free(acc);
        return -1;
    }
    /* Members by class (a counting sort). */
    memset(first, 0, sizeof(int32_t) * ((size_t)nsyms + 1));
    for (int32_t i = 0; i < nglyph; i++)
        first[t->comps[t->order[i]].sym + 1]++;
    for (int32_t s = 0; s < nsyms; s++)
        first[s + 1] += first[s];
    for (int32_t i = 0; i < nglyph; i++) {
        int32_t s = t->comps[t->order[i]].sym;
        members[first[s]++] = t->order[i];
    }
    for (int32_t s = nsyms; s > 0; s--)
        first[s] = first[s - 1];
    first[0] = 0;
    for (int32_t s = 0; s < nsyms; s++) {
        const Comp *sc = &t->comps[t->syms[s].comp];
        int sw = CW(sc), sh = CH(sc);
        size_t area = (size_t)sw * (size_t)sh;
        uint8_t *proto = t->protos + t->syms[s].poff;
        const uint8_t *own = t->arena + sc->off;
        int32_t n = first[s + 1] - first[s];
        if (n == 1) {
            memcpy(proto, own, area);
            continue;
        }
        memset(acc, 0, sizeof(uint32_t) * area);
        for (int32_t m = first[s]; m < first[s + 1]; m++) {
            const Comp *c = &t->comps[members[m]];
            int w = CW(c), h = CH(c);
            const uint8_t *bits = t->arena + c->off;
            for (int y = 0; y < sh; y++) {
                int gy = y + c->dy;
                if (gy < 0 || gy >= h)
                    continue;
                int x0 = -c->dx > 0 ? -c->dx : 0, x1 = w - c->dx < sw ? w - c->dx : sw;
                for (int x = x0; x < x1; x++)
                    acc[(size_t)y * (size_t)sw + (size_t)x] += bits[(size_t)gy * (size_t)w + (size_t)(x + c->dx)];
            }
        }
        for (size_t k = 0; k < area; k++) {
            uint64_t twice = 2 * (uint64_t)acc[k];
            proto[k] = twice > (uint64_t)n ? 1 : twice == (uint64_t)n ? own[k] : 0;
        }
    }
    size_t nwords = 0;
    for (int32_t s = 0; s < nsyms; s++) {
        const Comp *sc = &t->comps[t->syms[s].comp];
        t->syms[s].pwoff = nwords;
        nwords += (size_t)CH(sc) * (size_t)words_of(CW(sc));
    }
    t->pwords = calloc(nwords ? nwords : 1, sizeof(uint64_t));
    if (!t->pwords) {
        free(first);
        free(members);
        free(acc);
        return -1;
    }
    for (int32_t s = 0; s < nsyms; s++) {
        const Comp *sc = &t->comps[t->syms[s].comp];
        pack_words(t->protos + t->syms[s].poff, CW(sc), CH(sc), t->pwords + t->syms[s].pwoff);
        t->syms[s].pix = t->protos + t->syms[s].poff;
        t->syms[s].wpix = t->pwords + t->syms[s].pwoff;
    }
    for (int32_t i = 0; i < nglyph; i++) {
        Comp *c = &t->comps[t->order[i]];
        const Sym *sym = &t->syms[c->sym];
        const Comp *sc = &t->comps[sym->comp];
        int w = CW(c), h = CH(c), sw = CW(sc), sh = CH(sc);
        const uint64_t *bits = t->words + c->woff, *proto = sym->wpix;
        int64_t best = mismatch(bits, w, h, proto, sw, sh, c->dx, c->dy, INT64_MAX);
        int bdx = c->dx, bdy = c->dy;
        static const int8_t around[4][2] = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
        for (int k = 0; k < 4 && best > 0; k++) {
            int dx = c->dx + around[k][0], dy = c->dy + around[k][1];
            int64_t err = mismatch(bits, w, h, proto, sw, sh, dx, dy, best - 1);
            if (err < best) {
                best = err;
                bdx = dx;
                bdy = dy;
            }
        }
        c->dx = bdx;
        c->dy = bdy;
        c->err = best;
        c->refine = !(best == 0 && w == sw && h == sh && bdx == 0 && bdy == 0);
    }
    free(first);
    free(members);
    free(acc);
    return 0;
}

/* Two dictionaries: a symbol close to an earlier symbol (at most COARSE_PERCENT of its box
 * differs, as DjVu's cjb2 matches shapes; centres aligned, or one pixel off in x or y) goes
 * to a second dictionary, coded as a refinement of it (T.88 6.5.8.2.2: REFAGGNINST = 1),
 * which costs less than coding its bitmap afresh; the others are generic-coded in the first
 * dictionary. The earlier symbol may itself be a second-dictionary one (a chain, as cjb2
 * refines from any earlier shape: -0.3 % over the benchmark layers). Returns the number of
 * first-dictionary symbols. */
#define COARSE_PERCENT 12
#define MIN_REFINED 4

static int32_t split_dictionaries(Text *t, int32_t nsyms) {
    int32_t n1 = 0;
    for (int i = 0; i < NBUCKET; i++)
        t->bucket[i] = -1;
    for (int32_t s = 0; s < nsyms; s++) {
        Sym *sym = &t->syms[s];
        const Comp *sc = &t->comps[sym->comp];
        int w = CW(sc), h = CH(sc);
        const uint8_t *proto = sym->pix;
        int64_t black = 0;
        for (size_t k = 0; k < (size_t)w * (size_t)h; k++)
            black += proto[k];
        sym->black = black;
        int64_t limit = (int64_t)w * h * COARSE_PERCENT / 100;
        int64_t best = (limit < 2 ? 2 : limit) + 1;
        if (w < MIN_REFINED || h < MIN_REFINED)
            best = 0; /* tiny: generic-coded (PDFium misdecodes some tiny refined symbols) */
        int32_t bref = -1, tried = 0;
        int bdx = 0, bdy = 0;
        for (int dh = 0; dh <= 4 && best > 1; dh++) {
            int rh = around(h, dh);
            for (int dw = 0; dw <= 4 && best > 1 && tried < SPLIT_CANDIDATES; dw++) {
                int rw = around(w, dw);
                if (rw < 1 || rh < 1)
                    continue;
                int visited = 0;
                for (int32_t r = t->bucket[bucket_of(rw, rh)];
                     r >= 0 && tried < SPLIT_CANDIDATES && visited < 4 * SPLIT_CANDIDATES; r = t->syms[r].next) {
                    const Sym *rs = &t->syms[r];
                    const Comp *rc = &t->comps[rs->comp];
                    visited++;
                    if (CW(rc) != rw || CH(rc) != rh || rw < MIN_REFINED || rh < MIN_REFINED)
                        continue;
                    int64_t d = rs->black - black;
                    if ((d < 0 ? -d : d) >= best)
                        continue;
                    tried++;
                    static const int8_t offsets[5][2] = {{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}};
                    for (int k = 0; k < 5; k++) {
                        int dx = floor_half(w - rw) + offsets[k][0], dy = floor_half(h - rh) + offsets[k][1];
                        int64_t err = mismatch(sym->wpix, w, h, rs->wpix, rw, rh, dx,
                                               dy, best - 1);
                        if (err < best) {
                            best = err;
                            bref = r;
                            bdx = dx;
                            bdy = dy;
                        }
                    }
                }
            }
        }
        sym->tier = bref >= 0;
        sym->ref = bref;
        sym->rdx = bdx;
        sym->rdy = bdy;
        n1 += bref < 0;
        unsigned b = bucket_of(w, h); /* a reference for later ones either way (chains) */
        sym->next = t->bucket[b];
        t->bucket[b] = s;
    }
    return n1;
}

/* Promotion: a glyph that is a better reference than its class's prototype for enough other
 * glyphs of its class becomes a symbol itself, in the second dictionary, refined from the
 * prototype or from a glyph of its class promoted before it (cjb2 refines every shape from
 * the closest earlier one; a JBIG2 text region can only refine from symbols, and a symbol
 * costs a number); the text region then places it as that symbol (exactly its pixels), and
 * every glyph of the class is refined from whichever of the prototype and the promoted
 * glyphs it differs least from. Chosen greedily per class: the glyph whose promotion saves
 * most (the differing pixels it saves the others, times the refinement bits a pixel costs)
 * over what a symbol costs, until none pays. Debug builds can change the constants (tune()). */
TUNABLE int promo_bits = 24;  /* a promoted glyph's cost, in bits */
TUNABLE int promo_bpp16 = 32; /* refinement bits per differing pixel, times 16 */
TUNABLE int promo_margin = 0; /* differing pixels a glyph must save to leave its prototype */
TUNABLE int demote_max = 3;   /* see code_text: second-dictionary classes this small are not symbols */
#define MAX_CLASS 1024        /* members of one class considered */
#define MAX_PROMOTABLE 256    /* members of one class that may be promoted (evenly spread; 16: +0.1 %) */
#define PROMOTE_PAIRS 32768   /* ... fewer in a big class: candidates x members compared at most */

/* A reference offset other than the centred one costs bits of its own (IARDX/IARDY, RDX/RDY
 * away from 0): it is taken only when it differs in this many pixels fewer (1: -0.02 %, 2:
 * -0.04 %, 4: -0.01 % over the benchmark layers). */
TUNABLE int offset_margin = 2;

/* The best reference offset of bitmap `a` on symbol `r` (centres aligned, or one pixel off,
 * see offset_margin): the differing pixels, below `limit` (else limit). */
static int64_t best_offset(const Text *t, const uint64_t *a, int w, int h, int32_t r, int64_t limit, int *odx,
                           int *ody) {
    const Sym *rs = &t->syms[r];
    const Comp *rc = &t->comps[rs->comp];
    int rw = CW(rc), rh = CH(rc);
    static const int8_t offsets[5][2] = {{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}};
    int64_t best = limit;
    for (int k = 0; k < 5 && best > 0; k++) {
        int dx = floor_half(w - rw) + offsets[k][0], dy = floor_half(h - rh) + offsets[k][1];
        int64_t margin = k ? offset_margin : 0;
        if (best <= margin)
            continue;
        int64_t err = mismatch(a, w, h, rs->wpix, rw, rh, dx, dy, best - margin - 1);
        if (err + margin < best) {
            best = err;
            *odx = dx;
            *ody = dy;
        }
    }
    return best;
}

static int promote(Text *t, int32_t nglyph, int32_t *nsyms_io) {
    int32_t nclass = *nsyms_io, nsyms = nclass;
    int32_t *first = calloc((size_t)nclass + 1, sizeof(int32_t));
    int32_t *members = malloc(sizeof(int32_t) * (size_t)nglyph);
    int64_t *cur = malloc(sizeof(int64_t) * MAX_CLASS);
    int32_t *dist = malloc(sizeof(int32_t) * MAX_PROMOTABLE * MAX_CLASS);
    int32_t *symof = malloc(sizeof(int32_t) * MAX_CLASS), cand[MAX_PROMOTABLE];
    if (!first || !members || !cur || !dist || !symof) {
        free(first);
        free(members);
        free(cur);
        free(dist);
        free(symof);
        return -1;
    }
    for (int32_t i = 0; i < nglyph; i++)
        first[t->comps[t->order[i]].sym + 1]++;
    for (int32_t s = 0; s < nclass; s++)
        first[s + 1] += first[s];
    for (int32_t i = 0; i < nglyph; i++) {
        int32_t s = t->comps[t->order[i]].sym;
        members[first[s]++] = t->order[i];
    }
    for (int32_t s = nclass; s > 0; s--)
        first[s] = first[s - 1];
    first[0] = 0;
    for (int32_t s = 0; s < nclass; s++) {
        const Comp *sc = &t->comps[t->syms[s].comp];
        int32_t n = first[s + 1] - first[s];
        if (n < 3 || CW(sc) < MIN_REFINED || CH(sc) < MIN_REFINED)
            continue;
        if (n > MAX_CLASS)
            n = MAX_CLASS;
        const int32_t *m = members + first[s];
        int64_t total = 0;
        for (int32_t j = 0; j < n; j++) {
            cur[j] = t->comps[m[j]].err;
            symof[j] = -1;
            total += cur[j] > promo_margin ? cur[j] - promo_margin : 0;
        }
        if (total * promo_bpp16 <= 16 * (int64_t)promo_bits)
            continue; /* even a perfect reference for all would not pay */
        /* dist[k][j]: pixels member j differs from promotable member k by, if fewer than now. */
        int32_t ncand = n < MAX_PROMOTABLE ? n : MAX_PROMOTABLE;
        if ((int64_t)ncand * n > PROMOTE_PAIRS)
            ncand = (int32_t)(PROMOTE_PAIRS / n); /* >= 16: n <= MAX_CLASS */
        for (int32_t k = 0; k < ncand; k++) {
            int32_t i = (int32_t)((int64_t)k * n / ncand);
            const Comp *ci = &t->comps[m[i]];
            int wi = CW(ci), hi = CH(ci);
            cand[k] = i;
            for (int32_t j = 0; j < n; j++) {
                const Comp *cj = &t->comps[m[j]];
                int64_t d = cur[j];
                if (i != j && d > 0 && wi >= MIN_REFINED && hi >= MIN_REFINED) {
                    int wj = CW(cj), hj = CH(cj);
                    int64_t e = mismatch(t->words + cj->woff, wj, hj, t->words + ci->woff, wi, hi, floor_half(wj - wi),
                                         floor_half(hj - hi), d - 1);
                    d = e < d ? e : d;
                }
                dist[(size_t)k * MAX_CLASS + (size_t)j] = (int32_t)d;
            }
        }
        for (;;) {
            int64_t best_gain = 0;
            int32_t bk = -1;
            for (int32_t k = 0; k < ncand; k++) {
                if (symof[cand[k]] >= 0)
                    continue;
                const int32_t *dk = dist + (size_t)k * MAX_CLASS;
                int64_t saved = 0;
                for (int32_t j = 0; j < n; j++)
                    saved += dk[j] + promo_margin < cur[j] ? cur[j] - dk[j] - promo_margin : 0;
                int64_t gain = saved * promo_bpp16 - 16 * (int64_t)promo_bits;
                if (gain > best_gain) {
                    best_gain = gain;
                    bk = k;
                }
            }
            if (bk < 0)
                break;
            const int32_t *dk = dist + (size_t)bk * MAX_CLASS;
            for (int32_t j = 0; j < n; j++)
                cur[j] = dk[j] + promo_margin < cur[j] ? dk[j] + promo_margin : cur[j];
            int32_t bi = cand[bk];
            Comp *c = &t->comps[m[bi]];
            t->syms[nsyms] = (Sym){.comp = m[bi], .ref = s, .black = c->black, .tier = 1,
                                   .pix = t->arena + c->off, .wpix = t->words + c->woff};
            symof[bi] = nsyms++;
#ifdef JBIG2_STATS
            stat_bits[ST_PROMOTED] += 1;
#endif
        }
        /* References: each promoted glyph from the best of the prototype and the promoted glyphs
         * numbered before it; every other member from the best of all of them. */
        for (int32_t j = 0; j < first[s + 1] - first[s]; j++) {
            Comp *c = &t->comps[m[j]];
            int w = CW(c), h = CH(c);
            const uint64_t *bits = t->words + c->woff;
            int32_t own = j < n ? symof[j] : -1;
            int bdx = c->dx, bdy = c->dy;
            int64_t best = c->err, margin = own >= 0 ? 0 : promo_margin;
            int32_t bref = s;
            for (int32_t k = 0; k < ncand && best > margin; k++) {
                int32_t i = cand[k], q = symof[i];
                if (q < 0 || i == j || (own >= 0 && q > own))
                    continue;
                int dx = 0, dy = 0;
                int64_t err = best_offset(t, bits, w, h, q, best - margin, &dx, &dy);
                if (err + margin < best) {
                    best = err + margin;
                    bref = q;
                    bdx = dx;
                    bdy = dy;
                }
            }
            best -= bref == s ? 0 : margin;
            if (own >= 0) {
                Sym *ps = &t->syms[own];
                ps->ref = bref;
                ps->rdx = bdx;
                ps->rdy = bdy;
                c->sym = own;
                c->refine = 0;
                c->dx = c->dy = 0;
            } else {
                const Comp *rc = &t->comps[t->syms[bref].comp];
                c->sym = bref;
                c->dx = bdx;
                c->dy = bdy;
                c->refine = !(best == 0 && w == CW(rc) && h == CH(rc) && bdx == 0 && bdy == 0);
            }
        }
    }
    free(first);
    free(members);
    free(cur);
    free(dist);
    free(symof);
    *nsyms_io = nsyms;
    return 0;
}

/* Reassign: every glyph still refined is refined from the symbol it differs least from, of any
 * class and either dictionary (first-dictionary prototypes, look-alike prototypes, promoted
 * glyphs), not only from its own class's: cjb2 refines each shape from the closest earlier
 * one. The symbols of about its size (width and height within 2, as the matcher) are looked
 * up in size buckets, up to reassign_candidates of them compared (and 4 times as many looked
 * at), those whose ink count alone differs by more than the best so far skipped. This only
 * chooses what a glyph is coded FROM: the text region still refines it to its exact pixels.
 * 24 candidates: -0.5 % over the benchmark layers (8: -0.4 %). A symbol of another size than
 * the glyph costs refinement sizes (RDW/RDH, and RDY/RDX follow them): it is taken only when
 * it differs in size_margin pixels fewer (1: -0.03 %, 2: -0.06 %, 4: +0.01 %). */
TUNABLE int reassign_candidates = 24;
TUNABLE int size_margin = 2;

static void reassign(Text *t, int32_t nglyph, int32_t nsyms) {
    for (int i = 0; i < NBUCKET; i++)
        t->bucket[i] = -1;
    for (int32_t s = 0; s < nsyms; s++) {
        const Comp *sc = &t->comps[t->syms[s].comp];
        unsigned b = bucket_of(CW(sc), CH(sc));
        t->syms[s].next = t->bucket[b];
        t->bucket[b] = s;
    }
    for (int32_t i = 0; i < nglyph; i++) {
        Comp *c = &t->comps[t->order[i]];
        if (!c->refine)
            continue;
        int w = CW(c), h = CH(c);
        const uint64_t *bits = t->words + c->woff;
        const Comp *cc = &t->comps[t->syms[c->sym].comp];
        /* best: the differing pixels, plus size_margin for a symbol of another size */
        int64_t best = mismatch(bits, w, h, t->syms[c->sym].wpix, CW(cc), CH(cc), c->dx, c->dy, INT64_MAX) +
                       (CW(cc) != w || CH(cc) != h ? size_margin : 0);
        int32_t bsym = c->sym, tried = 0;
        int bdx = c->dx, bdy = c->dy;
        for (int dh = 0; dh <= 4 && best > 0; dh++) {
            int sh = around(h, dh);
            for (int dw = 0; dw <= 4 && best > 0 && tried < reassign_candidates; dw++) {
                int sw = around(w, dw);
                if (sw < 1 || sh < 1)
                    continue;
                int visited = 0;
                for (int32_t s = t->bucket[bucket_of(sw, sh)];
                     s >= 0 && best > 0 && tried < reassign_candidates && visited < 4 * reassign_candidates;
                     s = t->syms[s].next) {
                    const Sym *sy = &t->syms[s];
                    const Comp *sc = &t->comps[sy->comp];
                    visited++;
                    if (CW(sc) != sw || CH(sc) != sh || s == c->sym)
                        continue;
                    int64_t d = sy->black - c->black;
                    if ((d < 0 ? -d : d) >= best)
                        continue;
                    tried++;
                    int dx = 0, dy = 0;
                    int64_t margin = sw != w || sh != h ? size_margin : 0;
                    if (best <= margin)
                        continue;
                    int64_t err = best_offset(t, bits, w, h, s, best - margin, &dx, &dy);
                    if (err + margin < best) {
                        best = err + margin;
                        bsym = s;
                        bdx = dx;
                        bdy = dy;
                    }
                }
            }
        }
        const Comp *nc = &t->comps[t->syms[bsym].comp];
        best -= CW(nc) != w || CH(nc) != h ? size_margin : 0;
        c->sym = bsym;
        c->dx = bdx;
        c->dy = bdy;
        c->err = best;
        c->refine = !(best == 0 && w == CW(nc) && h == CH(nc) && bdx == 0 && bdy == 0);
    }
}

/* A refinement/aggregate symbol dictionary (SDREFAGG = 1) of the symbols numbered
 * [from, to), whose input symbols are those numbered before `from`: by height class, each
 * symbol's width difference, REFAGGNINST = 1 (IAAI), the earlier symbol it refines (IAID over
 * input and new symbols), RDX, RDY, then its bitmap as a refinement region of that symbol
 * (6.5.8.2.2; refinement template 1); the export flags: the
 * input symbols not, the new ones all. `cx` holds its contexts (zeroed here). */
static int code_refagg(Text *t, MQ *e, uint8_t *cx, int32_t from, int32_t to, uint8_t *work) {
    int codelen = 0;
    while (((int64_t)1 << codelen) < to)
        codelen++;
    memset(cx, 0, 6 * (size_t)NIACTX + NGRCTX + ((size_t)2 << codelen));
    uint8_t *iadh = cx, *iadw = cx + NIACTX, *iaex = cx + 2 * NIACTX, *iaai = cx + 3 * NIACTX,
            *iardx = cx + 4 * NIACTX, *iardy = cx + 5 * NIACTX, *gr = cx + 6 * NIACTX, *iaid = gr + NGRCTX;
    initenc(e);
    int prev_h = 0;
    for (int32_t i = from; i < to;) {
        int h = CH(&t->comps[t->syms[t->byid[i]].comp]), prev_w = 0;
        STAT(ST_SD2_SIZES);
        encode_int(e, iadh, h - prev_h, 0);
        prev_h = h;
        int32_t gen = t->syms[t->byid[i]].gen;
        for (; i < to && CH(&t->comps[t->syms[t->byid[i]].comp]) == h && t->syms[t->byid[i]].gen == gen; i++) {
            const Sym *sym = &t->syms[t->byid[i]];
            const Sym *ref = &t->syms[sym->ref];
            const Comp *rc = &t->comps[ref->comp];
            int w = CW(&t->comps[sym->comp]);
            STAT(ST_SD2_SIZES);
            encode_int(e, iadw, w - prev_w, 0);
            prev_w = w;
            STAT(ST_SD2_REF);
            encode_int(e, iaai, 1, 0);
            encode_iaid(e, iaid, (uint32_t)ref->id, codelen);
            encode_int(e, iardx, sym->rdx, 0);
            encode_int(e, iardy, sym->rdy, 0);
            STAT(ST_SD2_BITMAPS);
            code_refine(e, gr, sym->pix, w, h, ref->pix, CW(rc), CH(rc), sym->rdx, sym->rdy, work);
        }
        STAT(ST_SD2_SIZES);
        encode_int(e, iadw, 0, 1);
    }
    encode_int(e, iaex, from, 0);
    encode_int(e, iaex, to - from, 0);
    flush(e);
    return e->failed ? -1 : 0;
}

/* PDFium decodes a refinement region whose reference is as wide as it, at GRREFERENCEDX = 0,
 * on a fast path (CJBig2_GRRDProc::DecodeTemplate1Opt) that takes a GRREFERENCEDY beyond the
 * reference's height - 1 as 0, so the region decodes wrong there (a glyph refined from a
 * symbol 1 or 2 rows high, one row down; jbig2dec and poppler follow T.88). Such an offset of
 * a glyph on its symbol is replaced by the closest PDFium reads as coded: the vertical offset
 * brought within the reference's height, or one pixel left or right (another path). The
 * refinement still codes the glyph's exact pixels from whichever offset. */
static void readable_offset(const Text *t, const Comp *c, const Sym *sym, int *odx, int *ody) {
    const Comp *sc = &t->comps[sym->comp];
    int w = CW(c), h = CH(c), rw = CW(sc), rh = CH(sc);
    if (*odx != 0 || w != rw || (*ody < rh && *ody > -rh))
        return;
    int dy = *ody < 0 ? 1 - rh : rh - 1;
    const int tries[3][2] = {{0, dy}, {-1, *ody}, {1, *ody}};
    int64_t best = INT64_MAX;
    for (int k = 0; k < 3; k++) {
        int64_t err = mismatch(t->words + c->woff, w, h, sym->wpix, rw, rh, tries[k][0], tries[k][1], best - 1);
        if (err < best) {
            best = err;
            *odx = tries[k][0];
            *ody = tries[k][1];
        }
    }
}

static int code_text(Text *t) {
    size_t nruns;
    int32_t ncomp;
    int rc = find_components(t, &nruns, &ncomp);
    if (rc)
        return rc;
    /* Glyphs (components up to maxglyph square) go to the text region, the rest to one
     * generic region over the rest's bounding box. */
    size_t arena = 0;
    int32_t nglyph = 0;
    int32_t rx0 = INT32_MAX, ry0 = INT32_MAX, rx1 = -1, ry1 = -1;
    int64_t glyph_black = 0, rest_black = 0;
    for (int32_t i = 0; i < ncomp; i++) {
        Comp *c = &t->comps[i];
        c->glyph = CW(c) <= t->maxglyph && CH(c) <= t->maxglyph;
        if (c->glyph) {
            c->off = arena;
            arena += (size_t)CW(c) * (size_t)CH(c); /* <= maxglyph^2 each, ncomp < 2^22 */
            if (arena > MAX_ARENA)
                return 1;
            nglyph++;
            glyph_black += c->black;
        } else {
            rest_black += c->black;
            rx0 = c->x0 < rx0 ? c->x0 : rx0;
            ry0 = c->y0 < ry0 ? c->y0 : ry0;
            rx1 = c->x1 > rx1 ? c->x1 : rx1;
            ry1 = c->y1 > ry1 ? c->y1 : ry1;
        }
    }
    /* Fewer than two glyphs, more than one glyph per 8 x 8 pixels (noise), or most of the ink
     * in components too big to be glyphs: not text. */
    if (nglyph < 2 || (uint64_t)nglyph > (uint64_t)t->width * (uint64_t)t->height / 64 ||
        rest_black > 8 * glyph_black)
        return 1;
    t->arena = calloc(arena, 1);
    if (!t->arena)
        return -1;
    size_t nwords = 0;
    for (int32_t i = 0; i < ncomp; i++) {
        Comp *c = &t->comps[i];
        if (c->glyph) {
            c->woff = nwords;
            nwords += (size_t)CH(c) * (size_t)words_of(CW(c)); /* <= the arena's bytes */
        }
    }
    t->words = calloc(nwords ? nwords : 1, sizeof(uint64_t));
    if (!t->words)
        return -1;
    for (size_t i = 0; i < nruns; i++) {
        const Run *r = &t->runs[i];
        const Comp *c = &t->comps[r->up];
        if (c->glyph) {
            memset(t->arena + c->off + (size_t)(r->y - c->y0) * (size_t)CW(c) + (size_t)(r->x0 - c->x0), 1,
                   (size_t)(r->x1 - r->x0 + 1));
            set_range(t->words + c->woff + (size_t)(r->y - c->y0) * (size_t)words_of(CW(c)), r->x0 - c->x0,
                      r->x1 - c->x0);
        }
    }

    /* Reading order: strips of 2^logstrips rows by the glyphs' bottom row, left to right. */
    Key *keys = malloc(sizeof(Key) * 2 * (size_t)nglyph);
    if (!keys)
        return -1;
    int32_t k = 0;
    for (int32_t i = 0; i < ncomp; i++) {
        const Comp *c = &t->comps[i];
        if (c->glyph)
            keys[k++] = (Key){c->y1 >> t->logstrips, c->x0, c->y1, i};
    }
    qsort(keys, (size_t)nglyph, sizeof(Key), cmp_key);
    t->order = malloc(sizeof(int32_t) * (size_t)nglyph);
    t->syms = malloc(sizeof(Sym) * 2 * (size_t)nglyph); /* the classes, then promoted glyphs */
    t->bucket = malloc(sizeof(int32_t) * NBUCKET);
    if (!t->order || !t->syms || !t->bucket) {
        free(keys);
        return -1;
    }
    for (int32_t i = 0; i < nglyph; i++)
        t->order[i] = keys[i].idx;
    for (int i = 0; i < NBUCKET; i++)
        t->bucket[i] = -1;

    /* Classes: each glyph is coded from the closest earlier symbol of about its size (its
     * exact pixels, or refined to its exact pixels), or becomes a new symbol. This only
     * chooses what a glyph is coded FROM; every glyph decodes to its own pixels. */
    int32_t nsyms = 0;
    /* Pixels compared while matching: printed pages take up to ~3 times the page's area. */
    int64_t compared = 0, budget = 8 * (int64_t)t->width * (int64_t)t->height + ((int64_t)1 << 20);
    for (int32_t i = 0; i < nglyph; i++) {
        Comp *c = &t->comps[t->order[i]];
        int w = CW(c), h = CH(c);
        int64_t limit = c->black * t->permille / 1000;
        int64_t best_err = limit + 1;
        int32_t best = -1, tried = 0;
        int bdx = 0, bdy = 0;
        for (int dh = 0; dh <= 4 && best_err > 0; dh++) {
            int sh = around(h, dh);
            for (int dw = 0; dw <= 4 && best_err > 0 && tried < MAX_CANDIDATES; dw++) {
                int sw = around(w, dw);
                if (sw < 1 || sh < 1)
                    continue;
                int visited = 0;
                for (int32_t s = t->bucket[bucket_of(sw, sh)];
                     s >= 0 && tried < MAX_CANDIDATES && visited < MAX_VISITED; s = t->syms[s].next) {
                    const Comp *sc = &t->comps[t->syms[s].comp];
                    visited++;
                    if (CW(sc) != sw || CH(sc) != sh)
                        continue;
                    int64_t d = sc->black - c->black;
                    if (d < 0)
                        d = -d;
                    if (d >= best_err)
                        continue;
                    tried++;
                    compared += (int64_t)w * h;
                    if (compared > budget) {
                        free(keys);
                        return 1; /* matching costs more than on any printed page: noise */
                    }
                    int dx = floor_half(w - sw), dy = floor_half(h - sh);
                    int64_t margin = sw != w || sh != h ? CLASS_SIZE_MARGIN : 0;
                    if (best_err <= margin)
                        continue;
                    int64_t err = mismatch(t->words + c->woff, w, h, t->words + sc->woff, sw, sh, dx, dy,
                                           best_err - margin - 1) +
                                  margin;
                    if (err < best_err) {
                        best_err = err;
                        best = s;
                        bdx = dx;
                        bdy = dy;
                        if (err == 0)
                            break;
                    }
                }
            }
        }
        if (best >= 0) {
            c->sym = best;
            c->refine = best_err != 0;
            c->dx = bdx;
            c->dy = bdy;
        } else {
            unsigned b = bucket_of(w, h);
            t->syms[nsyms] = (Sym){.comp = t->order[i], .next = t->bucket[b], .ref = -1, .black = c->black};
            t->bucket[b] = nsyms;
            c->sym = nsyms++;
            c->refine = 0;
            c->dx = c->dy = 0;
        }
    }
    if (make_prototypes(t, nglyph, nsyms)) {
        free(keys);
        return -1;
    }
    t->nsyms = nsyms;
    t->ninst = nglyph;
    if (nsyms < 2) {
        free(keys);
        return 1;
    }
    int32_t n1 = split_dictionaries(t, nsyms);
    if (demote_max > 0) {
        /* A second-dictionary symbol of at most demote_max glyphs is not worth its symbol
         * number: its glyphs are refined in the text region from its reference instead
         * (1, 2, 3 glyphs: -0.4, -0.07, -0.04 % over the benchmark layers). */
        int32_t *cnt = calloc((size_t)nsyms, sizeof(int32_t));
        if (!cnt) {
            free(keys);
            return -1;
        }
        for (int32_t i = 0; i < nglyph; i++)
            cnt[t->comps[t->order[i]].sym]++;
        for (int32_t s = 0; s < nsyms; s++)
            if (t->syms[s].tier == 1)
                cnt[t->syms[s].ref] += demote_max + 1; /* a reference stays */
        for (int32_t i = 0; i < nglyph; i++) {
            Comp *c = &t->comps[t->order[i]];
            const Sym *sym = &t->syms[c->sym];
            if (sym->tier != 1 || cnt[c->sym] > demote_max)
                continue;
            int w = CW(c), h = CH(c), dx = 0, dy = 0;
            int64_t err = best_offset(t, t->words + c->woff, w, h, sym->ref, INT64_MAX, &dx, &dy);
            c->sym = sym->ref;
            c->dx = dx;
            c->dy = dy;
            c->err = err;
            c->refine = 1;
        }
        int32_t ns = 0;
        for (int32_t s = 0; s < nsyms; s++) {
            if (t->syms[s].tier == 1 && cnt[s] <= demote_max) {
                cnt[s] = -1;
            } else {
                t->syms[ns] = t->syms[s];
                cnt[s] = ns++;
            }
        }
        for (int32_t s = 0; s < ns; s++)
            if (t->syms[s].tier == 1)
                t->syms[s].ref = cnt[t->syms[s].ref];
        for (int32_t i = 0; i < nglyph; i++) {
            Comp *c = &t->comps[t->order[i]];
            c->sym = cnt[c->sym];
        }
        free(cnt);
        nsyms = ns;
    }
    /* The generic region of the components that are not glyphs. */
    t->have_rest = rx1 >= 0;
    size_t rstride = 0;
    if (t->have_rest) {
        t->rx = rx0;
        t->ry = ry0;
        t->rw = rx1 - rx0 + 1;
        t->rh = ry1 - ry0 + 1;
        rstride = ((size_t)t->rw + 7) / 8;
        t->rbits = calloc(rstride * (size_t)t->rh, 1); /* <= the page's own packed size */
        if (!t->rbits) {
            free(keys);
            return -1;
        }
        for (size_t i = 0; i < nruns; i++) {
            const Run *r = &t->runs[i];
            if (t->comps[r->up].glyph)
                continue;
            uint8_t *row = t->rbits + (size_t)(r->y - t->ry) * rstride;
            for (int32_t x = r->x0 - t->rx; x <= r->x1 - t->rx; x++)
                row[x >> 3] |= (uint8_t)(0x80 >> (x & 7));
        }
    }
    free(t->runs);
    t->runs = NULL;
    if (promote(t, nglyph, &nsyms)) {
        free(keys);
        return -1;
    }
    reassign(t, nglyph, nsyms);
    int32_t n2 = nsyms - n1;
    t->nsyms = nsyms;
    t->nsyms1 = n1;
    /* Symbol numbers: the first dictionary's, then the second's; in each, height classes,
     * narrow to wide (T.88 6.5.5). */
    for (int32_t s = 0; s < nsyms; s++) {
        const Comp *sc = &t->comps[t->syms[s].comp];
        Sym *sym = &t->syms[s];
        sym->gen = sym->tier ? t->syms[sym->ref].gen + 1 : 0; /* references are numbered before */
        keys[s] = (Key){sym->gen, CH(sc), CW(sc), s};
#ifdef JBIG2_STATS
        stat_bits[ST_CHAINED] += sym->gen > 1;
#endif
    }
    qsort(keys, (size_t)nsyms, sizeof(Key), cmp_key);
    t->byid = malloc(sizeof(int32_t) * (size_t)nsyms);
    if (!t->byid) {
        free(keys);
        return -1;
    }
    for (int32_t i = 0; i < nsyms; i++) {
        t->byid[i] = keys[i].idx;
        t->syms[keys[i].idx].id = i;
    }
    free(keys);

    int codelen = 0;
    while (((int64_t)1 << codelen) < nsyms)
        codelen++;
    size_t nctx = 2 * (size_t)NCTX + 2 * (size_t)NGRCTX + 18 * (size_t)NIACTX + ((size_t)4 << codelen);
    size_t mg = (size_t)t->maxglyph + 2;
    t->ctx = calloc(nctx + 2 * (mg + 2 * RM) * (mg + 2 * RM), 1);
    if (!t->ctx)
        return -1;
    uint8_t *gb = t->ctx, *rgb = gb + NCTX, *gr = rgb + NCTX, *ia = gr + NGRCTX;
    uint8_t *iadh = ia, *iadw = ia + NIACTX, *iaex = ia + 2 * NIACTX, *iadt = ia + 3 * NIACTX,
            *iafs = ia + 4 * NIACTX, *iads = ia + 5 * NIACTX, *iait = ia + 6 * NIACTX,
            *iari = ia + 7 * NIACTX, *iardw = ia + 8 * NIACTX, *iardh = ia + 9 * NIACTX,
            *iardx = ia + 10 * NIACTX, *iardy = ia + 11 * NIACTX, *iaid = ia + 12 * NIACTX;
    uint8_t *refagg = iaid + ((size_t)2 << codelen); /* code_refagg's contexts */
    uint8_t *work = t->ctx + nctx;

    /* First symbol dictionary (T.88 6.5.5, arithmetic, no refinement/aggregation): by height
     * class, each symbol's width difference then its bitmap as a generic region (template 1,
     * nominal AT pixel, no TPGDON; contexts shared by all symbols); then the export flags:
     * none left out, all exported. */
    MQ *e = &t->sd;
    initenc(e);
    int prev_h = 0;
    for (int32_t i = 0; i < n1;) {
        int h = CH(&t->comps[t->syms[t->byid[i]].comp]), prev_w = 0;
        STAT(ST_SD1_SIZES);
        encode_int(e, iadh, h - prev_h, 0);
        prev_h = h;
        for (; i < n1 && CH(&t->comps[t->syms[t->byid[i]].comp]) == h; i++) {
            const Sym *sym = &t->syms[t->byid[i]];
            int w = CW(&t->comps[sym->comp]);
            STAT(ST_SD1_SIZES);
            encode_int(e, iadw, w - prev_w, 0);
            prev_w = w;
            STAT(ST_SD1_BITMAPS);
            code_symbol_bitmap(e, gb, sym->pix, w, h, work);
        }
        STAT(ST_SD1_SIZES);
        encode_int(e, iadw, 0, 1);
    }
    encode_int(e, iaex, 0, 0);
    encode_int(e, iaex, n1, 0);
    flush(e);
    if (e->failed)
        return -1;

    /* Second symbol dictionary, on the first: look-alike prototypes and promoted glyphs. */
    if (n2 && code_refagg(t, &t->sd2, refagg, n1, nsyms, work))
        return -1;

    /* Text region (T.88 6.4.5): strips by IADT, first S by IAFS, the next by IADS (OOB ends
     * the strip), T in the strip by IAIT, the symbol by IAID, then IARI: 0 for the symbol's
     * own pixels, 1 for a refinement (IARDW/H/X/Y and a refinement region, 6.4.11). */
#ifdef JBIG2_STATS
    {
        int32_t *cnt = calloc((size_t)nsyms, sizeof(int32_t));
        for (int32_t i = 0; cnt && i < nglyph; i++)
            cnt[t->comps[t->order[i]].sym]++;
        for (int32_t i = 0; cnt && i < nglyph; i++)
            stat_bits[ST_ID_H0] -= log2((double)cnt[t->comps[t->order[i]].sym] / nglyph);
        stat_bits[ST_NINST] += nglyph;
        stat_bits[ST_NSYMS] += nsyms;
        free(cnt);
    }
#endif
    e = &t->tr;
    initenc(e);
    int32_t stript = 0, firsts = 0, curs = 0, strip = 0;
    STAT(ST_TR_DT);
    encode_int(e, iadt, 0, 0); /* STRIPT starts at 0 */
    for (int32_t i = 0; i < nglyph;) {
        const Comp *c = &t->comps[t->order[i]];
        int32_t s_now = c->y1 >> t->logstrips;
        STAT(ST_TR_DT);
        encode_int(e, iadt, s_now - strip, 0);
        strip = s_now;
        stript = strip << t->logstrips;
        int first = 1;
        for (; i < nglyph; i++) {
            c = &t->comps[t->order[i]];
            if ((c->y1 >> t->logstrips) != strip)
                break;
            STAT(first ? ST_TR_FS : ST_TR_DS);
            if (first) {
                encode_int(e, iafs, c->x0 - firsts, 0);
                firsts = c->x0;
                first = 0;
            } else {
                encode_int(e, iads, c->x0 - curs, 0);
            }
            curs = c->x0;
            if (t->logstrips)
                encode_int(e, iait, c->y1 - stript, 0);
            const Sym *sym = &t->syms[c->sym];
            STAT(ST_TR_ID);
            encode_iaid(e, iaid, (uint32_t)sym->id, codelen);
            STAT(ST_TR_RI);
            encode_int(e, iari, c->refine, 0);
            t->nrefined += c->refine;
            if (c->refine) {
                const Comp *sc = &t->comps[sym->comp];
                int rdw = CW(c) - CW(sc), rdh = CH(c) - CH(sc), dx = c->dx, dy = c->dy;
                readable_offset(t, c, sym, &dx, &dy);
                STAT(ST_TR_RDIMS);
                encode_int(e, iardw, rdw, 0);
                encode_int(e, iardh, rdh, 0);
                encode_int(e, iardx, dx - floor_half(rdw), 0);
                encode_int(e, iardy, dy - floor_half(rdh), 0);
                STAT(ST_TR_REFINE);
                code_refine(e, gr, t->arena + c->off, CW(c), CH(c), sym->pix, CW(sc), CH(sc), dx,
                            dy, work);
            }
            curs += CW(c) - 1;
        }
        STAT(ST_TR_DS);
        encode_int(e, iads, 0, 1);
    }
    flush(e);
    if (e->failed)
        return -1;

    if (t->have_rest) {
        e = &t->rest;
        initenc(e);
        STAT(ST_REST);
        if (code_generic(e, rgb, t->rbits, t->rw, t->rh, rstride))
            return -1;
        flush(e);
        if (e->failed)
            return -1;
    }
    return 0;
}

static void text_free(Text *t) {
    free(t->runs);
    free(t->rowstart);
    free(t->comps);
    free(t->order);
    free(t->arena);
    free(t->protos);
    free(t->words);
    free(t->pwords);
    free(t->syms);
    free(t->bucket);
    free(t->byid);
    free(t->ctx);
    free(t->rbits);
    free(t->sd.out);
    free(t->sd2.out);
    free(t->tr.out);
    free(t->rest.out);
}

static int check_bitmap_args(Py_buffer *view, int width, int height, Py_ssize_t stride) {
    /* Sizes are checked in Py_ssize_t without overflow; the coder's loops run x up to
     * width + PAD in int, so width (and height) stay well below INT_MAX. */
    if (width < 1 || height < 1 || width > INT_MAX - 16 || height > INT_MAX - 16 ||
        stride < ((Py_ssize_t)width + 7) / 8 || stride > PY_SSIZE_T_MAX / (Py_ssize_t)height ||
        view->len < stride * (Py_ssize_t)height) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, "bitmap size does not match its data");
        return -1;
    }
    return 0;
}

static PyObject *encode_generic(PyObject *self, PyObject *args) {
    Py_buffer view;
    int width, height;
    Py_ssize_t stride;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*iin", &view, &width, &height, &stride))
        return NULL;
    if (check_bitmap_args(&view, width, height, stride))
        return NULL;
    MQ e;
    uint8_t *cx = calloc(NCTX, 1);
    if (!cx) {
        PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    initenc(&e);
    STAT(ST_GENERIC);
    rc = code_generic(&e, cx, view.buf, width, height, (size_t)stride);
    if (rc == 0)
        flush(&e);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    free(cx);
    PyObject *result = rc == 0 && !e.failed
                           ? PyBytes_FromStringAndSize((const char *)e.out, (Py_ssize_t)e.len)
                           : PyErr_NoMemory();
    free(e.out);
    return result;
}

static PyObject *encode_text(PyObject *self, PyObject *args) {
    Py_buffer view;
    int width, height, maxglyph, logstrips, permille;
    Py_ssize_t stride;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*iiniii", &view, &width, &height, &stride, &maxglyph, &logstrips,
                          &permille))
        return NULL;
    if (check_bitmap_args(&view, width, height, stride))
        return NULL;
    if (maxglyph < 1 || maxglyph > 1024 || logstrips < 0 || logstrips > 3 || permille < 0 ||
        permille > 1000) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "bad text region parameters");
        return NULL;
    }
    Text *t = calloc(1, sizeof *t);
    if (!t) {
        PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    t->data = view.buf;
    t->width = width;
    t->height = height;
    t->stride = stride;
    t->maxglyph = maxglyph;
    t->logstrips = logstrips;
    t->permille = permille;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = code_text(t);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    PyObject *result;
    if (rc < 0) {
        result = PyErr_NoMemory();
    } else if (rc > 0) {
        result = Py_NewRef(Py_None);
    } else {
        PyObject *rest = t->have_rest ? Py_BuildValue("(y#iiii)", t->rest.out, (Py_ssize_t)t->rest.len,
                                                      (int)t->rx, (int)t->ry, (int)t->rw, (int)t->rh)
                                      : Py_NewRef(Py_None);
        result = rest ? Py_BuildValue("(y#iy#iy#iNi)", t->sd.out, (Py_ssize_t)t->sd.len, (int)t->nsyms1,
                                      t->sd2.len ? (const char *)t->sd2.out : "", (Py_ssize_t)t->sd2.len,
                                      (int)(t->nsyms - t->nsyms1), t->tr.out, (Py_ssize_t)t->tr.len,
                                      (int)t->ninst, rest, (int)t->nrefined)
                      : NULL;
    }
    text_free(t);
    free(t);
    return result;
}

#ifdef JBIG2_STATS
/* tune(promo_bits, promo_bpp16, promo_margin, demote_max[, split_candidates[,
 * reassign_candidates[, offset_margin[, size_margin]]]]) (debug builds only). */
static PyObject *tune(PyObject *self, PyObject *args) {
    (void)self;
    if (!PyArg_ParseTuple(args, "iiii|iiii", &promo_bits, &promo_bpp16, &promo_margin, &demote_max, &split_candidates,
                          &reassign_candidates, &offset_margin, &size_margin))
        return NULL;
    Py_RETURN_NONE;
}

/* stats() -> {part: bits} since the last call (debug builds only). */
static PyObject *stats(PyObject *self, PyObject *args) {
    (void)self;
    (void)args;
    PyObject *d = PyDict_New();
    for (int i = 0; d && i < NSTATS; i++) {
        PyObject *v = PyFloat_FromDouble(stat_bits[i]);
        if (!v || PyDict_SetItemString(d, STAT_NAMES[i], v)) {
            Py_XDECREF(v);
            Py_CLEAR(d);
            break;
        }
        Py_DECREF(v);
        stat_bits[i] = 0;
    }
    return d;
}
#endif

static PyMethodDef methods[] = {
#ifdef JBIG2_STATS
    {"stats", stats, METH_NOARGS, "stats() -> {part: bits} of the codings since the last call"},
    {"tune", tune, METH_VARARGS,
     "tune(promo_bits, promo_bpp16, promo_margin, demote_max[, split_candidates[, reassign_candidates[,\n"
     "offset_margin[, size_margin]]]])"},
#endif
    {"encode_generic", encode_generic, METH_VARARGS,
     "encode_generic(data, width, height, stride) -> bytes\n\n"
     "Lossless JBIG2 generic-region data (MQ coder, template 2, nominal AT pixel, TPGDON)\n"
     "of a bitmap given as packed rows, MSB first, 1 = black."},
    {"encode_text", encode_text, METH_VARARGS,
     "encode_text(data, width, height, stride, maxglyph, logstrips, permille)\n"
     "    -> (dict_data, nsyms, dict2_data, nsyms2, text_data, ninstances, rest, nrefined) | None\n\n"
     "Lossless JBIG2 symbol dictionary + text region (refinement to the exact pixels) of the\n"
     "page's connected components up to maxglyph square; rest = (generic_data, x, y, w, h) of\n"
     "the other components, or None; nrefined = the instances coded as refinements. None when\n"
     "the page has fewer than two symbols or is too noisy to be worth it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_jbig2", NULL, -1, methods};

PyMODINIT_FUNC PyInit__jbig2(void) { return PyModule_Create(&module); }
