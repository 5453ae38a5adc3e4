/*
 * Real and complex FFTs in double precision for WebAssembly with SIMD128 (f64x2), used by
 * nodes/features/wasm-fft.ts. Built by build.sh into fft.wasm, embedded in fft-wasm.ts.
 *
 * Freestanding: no libc, no allocation, no sin/cos. The caller (TypeScript) owns the
 * linear memory: it lays out the buffers, computes the twiddle tables with Math.cos and
 * Math.sin and passes pointers in.
 *
 * Complex FFT: Stockham auto-sort, decimation in frequency, radix-4 stages and one
 * radix-2 stage last when log2(N) is odd. Stockham needs no bit reversal: each stage
 * reads one buffer and writes the other, in order. Complex data is split (separate re
 * and im arrays), so one f64x2 holds two neighbouring points and the butterflies need
 * no shuffles. The first stage (stride 1) vectorises over neighbouring butterflies, the
 * later ones (stride >= 4) over neighbouring points of one butterfly.
 *
 * Real FFT of n points: the complex FFT of the n/2 points z[j] = x[2j] + i x[2j+1],
 * then the usual split step X[k] = E[k] + W^k O[k], where E and O are the spectra of
 * the even and odd samples recovered from Z[k] and conj(Z[n/2-k]).
 *
 * Sizes: N >= 8 complex points (so n >= 16 real), a power of two; the caller checks.
 */
#include <wasm_simd128.h>

typedef v128_t V;

static inline V add(V a, V b) { return wasm_f64x2_add(a, b); }
static inline V sub(V a, V b) { return wasm_f64x2_sub(a, b); }
static inline V mul(V a, V b) { return wasm_f64x2_mul(a, b); }
static inline V load(const double *p) { return wasm_v128_load(p); }
static inline void store(double *p, V v) { wasm_v128_store(p, v); }
/* [a0, b0] and [a1, b1]: the lanes of two vectors regrouped. */
static inline V low(V a, V b) { return wasm_i64x2_shuffle(a, b, 0, 2); }
static inline V high(V a, V b) { return wasm_i64x2_shuffle(a, b, 1, 3); }
static inline V swap(V a) { return wasm_i64x2_shuffle(a, a, 1, 0); }

/* Two complex numbers at once: re and im parts each in one vector. */
typedef struct {
  V re, im;
} C2;

static inline C2 cadd(C2 a, C2 b) { return (C2){add(a.re, b.re), add(a.im, b.im)}; }
static inline C2 csub(C2 a, C2 b) { return (C2){sub(a.re, b.re), sub(a.im, b.im)}; }
static inline C2 cmul(C2 a, C2 w) {
  return (C2){sub(mul(a.re, w.re), mul(a.im, w.im)), add(mul(a.re, w.im), mul(a.im, w.re))};
}

/*
 * The radix-4 DIF butterfly on a, b, c, d (the inputs a quarter of the length apart):
 * outputs 0..3 before twiddles are the 4-point DFT (a+b+c+d, a-ib-c+id, a-b+c-d,
 * a+ib-c-id).
 */
static inline void butterfly4(C2 a, C2 b, C2 c, C2 d, C2 *y0, C2 *y1, C2 *y2, C2 *y3) {
  C2 apc = cadd(a, c), amc = csub(a, c), bpd = cadd(b, d), bmd = csub(b, d);
  *y0 = cadd(apc, bpd);
  *y2 = csub(apc, bpd);
  /* amc -/+ i*bmd */
  *y1 = (C2){add(amc.re, bmd.im), sub(amc.im, bmd.re)};
  *y3 = (C2){sub(amc.re, bmd.im), add(amc.im, bmd.re)};
}

/*
 * Twiddles of one radix-4 stage of length L: six arrays of L/4 doubles, w1 re, w1 im,
 * w2 re, w2 im, w3 re, w3 im, with wj[p] = exp(-2 pi i j p / L). Stages follow each
 * other in the table from L = N down to L = 4.
 */
typedef struct {
  const double *w1r, *w1i, *w2r, *w2i, *w3r, *w3i;
} Twiddles;

static Twiddles twiddles(const double *table, int quarter) {
  return (Twiddles){table, table + quarter, table + 2 * quarter, table + 3 * quarter, table + 4 * quarter,
                    table + 5 * quarter};
}

/*
 * First stage (stride 1, length N): butterflies p and p+1 at once. Input split, or
 * interleaved (re, im, re, im: the real FFT's samples read as complex points, which
 * saves a separate de-interleaving pass). Output y[4p + j] = twiddled output j.
 */
static inline void first_stage(int n, int interleaved, const double *xr, const double *xi, double *yr, double *yi,
                               const double *table) {
  const int m = n / 4;
  const Twiddles t = twiddles(table, m);
  for (int p = 0; p < m; p += 2) {
    C2 in[4];
    for (int j = 0; j < 4; j++) {
      const int at = p + j * m;
      if (interleaved) {
        const V v0 = load(xr + 2 * at), v1 = load(xr + 2 * at + 2);
        in[j] = (C2){low(v0, v1), high(v0, v1)};
      } else {
        in[j] = (C2){load(xr + at), load(xi + at)};
      }
    }
    C2 y0, y1, y2, y3;
    butterfly4(in[0], in[1], in[2], in[3], &y0, &y1, &y2, &y3);
    y1 = cmul(y1, (C2){load(t.w1r + p), load(t.w1i + p)});
    y2 = cmul(y2, (C2){load(t.w2r + p), load(t.w2i + p)});
    y3 = cmul(y3, (C2){load(t.w3r + p), load(t.w3i + p)});
    /* lane 0 belongs to butterfly p (y[4p..4p+3]), lane 1 to p+1 (y[4p+4..4p+7]) */
    double *outr = yr + 4 * p, *outi = yi + 4 * p;
    store(outr, low(y0.re, y1.re));
    store(outr + 2, low(y2.re, y3.re));
    store(outr + 4, high(y0.re, y1.re));
    store(outr + 6, high(y2.re, y3.re));
    store(outi, low(y0.im, y1.im));
    store(outi + 2, low(y2.im, y3.im));
    store(outi + 4, high(y0.im, y1.im));
    store(outi + 6, high(y2.im, y3.im));
  }
}

/*
 * A later radix-4 stage of length L and stride s >= 2: for each butterfly p, the s
 * points q share one twiddle, two points per vector. p = 0 has unit twiddles (and is the
 * only butterfly of the last radix-4 stage, L = 4), so it skips the multiplications.
 */
static inline void butterflies4(int s, int m, int p, int twiddled, Twiddles t, const double *xr, const double *xi,
                                double *yr, double *yi) {
  const int sm = s * m;
  const double *ar = xr + s * p, *ai = xi + s * p;
  double *outr = yr + 4 * s * p, *outi = yi + 4 * s * p;
  C2 w1, w2, w3;
  if (twiddled) {
    w1 = (C2){wasm_f64x2_splat(t.w1r[p]), wasm_f64x2_splat(t.w1i[p])};
    w2 = (C2){wasm_f64x2_splat(t.w2r[p]), wasm_f64x2_splat(t.w2i[p])};
    w3 = (C2){wasm_f64x2_splat(t.w3r[p]), wasm_f64x2_splat(t.w3i[p])};
  }
  for (int q = 0; q < s; q += 2) {
    C2 a = {load(ar + q), load(ai + q)};
    C2 b = {load(ar + sm + q), load(ai + sm + q)};
    C2 c = {load(ar + 2 * sm + q), load(ai + 2 * sm + q)};
    C2 d = {load(ar + 3 * sm + q), load(ai + 3 * sm + q)};
    C2 y0, y1, y2, y3;
    butterfly4(a, b, c, d, &y0, &y1, &y2, &y3);
    if (twiddled) {
      y1 = cmul(y1, w1);
      y2 = cmul(y2, w2);
      y3 = cmul(y3, w3);
    }
    store(outr + q, y0.re);
    store(outi + q, y0.im);
    store(outr + s + q, y1.re);
    store(outi + s + q, y1.im);
    store(outr + 2 * s + q, y2.re);
    store(outi + 2 * s + q, y2.im);
    store(outr + 3 * s + q, y3.re);
    store(outi + 3 * s + q, y3.im);
  }
}

static void later_stage(int length, int s, const double *xr, const double *xi, double *yr, double *yi,
                        const double *table) {
  const int m = length / 4;
  const Twiddles t = twiddles(table, m);
  butterflies4(s, m, 0, 0, t, xr, xi, yr, yi);
  for (int p = 1; p < m; p++) butterflies4(s, m, p, 1, t, xr, xi, yr, yi);
}

/* The radix-2 stage of length 2 (stride N/2) that ends an odd log2(N): no twiddles. */
static void last_radix2(int s, const double *xr, const double *xi, double *yr, double *yi) {
  for (int q = 0; q < s; q += 2) {
    C2 a = {load(xr + q), load(xi + q)};
    C2 b = {load(xr + s + q), load(xi + s + q)};
    C2 sum = cadd(a, b), diff = csub(a, b);
    store(yr + q, sum.re);
    store(yi + q, sum.im);
    store(yr + s + q, diff.re);
    store(yi + s + q, diff.im);
  }
}

/*
 * Complex FFT of n points from (xr, xi) into (dr, di), using (tr, ti) as the other
 * Stockham buffer: stages alternate between the two so that the last writes (dr, di).
 * Neither may overlap the input.
 */
static inline void complex_fft(int n, int interleaved, const double *xr, const double *xi, double *dr, double *di,
                               double *tr, double *ti, const double *table) {
  int bits = 0;
  while ((1 << bits) < n) bits++;
  const int stages = bits / 2 + (bits & 1);
  /* stage k (from 1) writes the destination when stages - k is even */
  double *outr = (stages & 1) ? dr : tr, *outi = (stages & 1) ? di : ti;
  first_stage(n, interleaved, xr, xi, outr, outi, table);
  table += 6 * (n / 4);
  int length = n / 4, s = 4;
  while (length >= 4) {
    const double *inr = outr, *ini = outi;
    outr = (inr == dr) ? tr : dr;
    outi = (ini == di) ? ti : di;
    later_stage(length, s, inr, ini, outr, outi, table);
    table += 6 * (length / 4);
    length /= 4;
    s *= 4;
  }
  if (length == 2) last_radix2(s, outr, outi, outr == dr ? tr : dr, outi == di ? ti : di);
}

/*
 * From Z = FFT(z) (m points) to X[k] and X[m-k] of the n = 2m real samples:
 * E = (Z[k] + conj Z[m-k]) / 2, O = (Z[k] - conj Z[m-k]) / 2i, T = W^k O,
 * X[k] = E + T, X[m-k] = conj(E - T), W = exp(-2 pi i / n).
 */
static inline void split_scalar(int m, int k, const double *zr, const double *zi, const double *wr, const double *wi,
                                double *xr, double *xi) {
  const double ar = zr[k], ai = zi[k], br = zr[m - k], bi = zi[m - k];
  const double er = 0.5 * (ar + br), ei = 0.5 * (ai - bi);
  const double or_ = 0.5 * (ai + bi), oi = -0.5 * (ar - br);
  const double tr = wr[k] * or_ - wi[k] * oi, ti = wr[k] * oi + wi[k] * or_;
  xr[k] = er + tr;
  xi[k] = ei + ti;
  xr[m - k] = er - tr;
  xi[m - k] = ti - ei;
}

static void real_split(int m, const double *zr, const double *zi, const double *wr, const double *wi, double *xr,
                       double *xi) {
  xr[0] = zr[0] + zi[0];
  xi[0] = 0;
  xr[m] = zr[0] - zi[0];
  xi[m] = 0;
  const V half = wasm_f64x2_splat(0.5);
  const int quarter = m / 2;
  int k = 1;
  /* k and k+1 against m-k and m-k-1 (the latter loaded as one vector, lanes swapped) */
  for (; k + 1 < quarter; k += 2) {
    const C2 a = {load(zr + k), load(zi + k)};
    const C2 b = {swap(load(zr + m - k - 1)), swap(load(zi + m - k - 1))};
    const C2 e = {mul(half, add(a.re, b.re)), mul(half, sub(a.im, b.im))};
    const C2 o = {mul(half, add(a.im, b.im)), mul(half, sub(b.re, a.re))};
    const C2 t = cmul(o, (C2){load(wr + k), load(wi + k)});
    store(xr + k, add(e.re, t.re));
    store(xi + k, add(e.im, t.im));
    store(xr + m - k - 1, swap(sub(e.re, t.re)));
    store(xi + m - k - 1, swap(sub(t.im, e.im)));
  }
  for (; k <= quarter; k++) split_scalar(m, k, zr, zi, wr, wi, xr, xi);
}

/*
 * Real FFT of n samples x[0..n): bins 0..n/2 into (outRe, outIm) (numpy.fft.rfft).
 * work: 4 * (n/2) doubles. stageTable: the radix-4 twiddles of the n/2-point complex
 * FFT; splitTable: W^k re then im for k = 0..n/4 (n/4 + 1 each).
 */
__attribute__((export_name("rfft"))) void rfft(int n, const double *x, double *work, double *outRe, double *outIm,
                                               const double *stageTable, const double *splitTable) {
  const int m = n / 2;
  double *zr = work, *zi = work + m, *tr = work + 2 * m, *ti = work + 3 * m;
  complex_fft(m, 1, x, 0, zr, zi, tr, ti, stageTable);
  real_split(m, zr, zi, splitTable, splitTable + m / 2 + 1, outRe, outIm);
}

/*
 * Inverse complex FFT of n points with 1/n scaling (numpy.fft.ifft), in (re, im) to
 * (outRe, outIm); work: 2n doubles. The inverse is the forward transform with re and im
 * exchanged on the way in and out, so the same (forward) twiddles serve.
 */
__attribute__((export_name("cifft"))) void cifft(int n, const double *re, const double *im, double *work,
                                                 double *outRe, double *outIm, const double *stageTable) {
  complex_fft(n, 0, im, re, outIm, outRe, work + n, work, stageTable);
  const V scale = wasm_f64x2_splat(1.0 / n);
  for (int k = 0; k < n; k += 2) {
    store(outRe + k, mul(scale, load(outRe + k)));
    store(outIm + k, mul(scale, load(outIm + k)));
  }
}
