/*
 * Kernels mlpath adds to TensorFlow.js's wasm backend, compiled to a wasm
 * module that imports the backend's own memory, so they read and write
 * tensors where they lie (scripts/build-simd.js; src/backend/simd/module.ts
 * loads the result).
 *
 * Built with no stack and no data: the module shares memory with the
 * backend, so anything it kept there of its own would overwrite tensors.
 * scripts/build-simd.js refuses a build that would (a stack pointer write or
 * a data segment).
 *
 * Every kernel here adds the same terms as the stock one, in a fixed order:
 * the same inputs give the same bits, run after run. (A NaN's sign bit is
 * the one exception wasm allows: NaN stays NaN, its sign may differ.)
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/* How many of a[0..n) are not zero (NaN counts as not zero). */
EXPORT(nonzeros)
int nonzeros(const float *a, int n) {
  int count = 0;
  for (int i = 0; i < n; i++) count += !(a[i] == 0.0f);
  return count;
}

/* 1 when every b[0..n) is finite: a zero of A times an infinite or NaN entry of B is NaN, which skipping would lose. */
EXPORT(all_finite)
int all_finite(const float *b, int n) {
  v128_t bad = wasm_i32x4_splat(0);
  v128_t exp = wasm_i32x4_splat(0x7f800000);
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    v128_t v = wasm_v128_and(wasm_v128_load(b + j), exp);
    bad = wasm_v128_or(bad, wasm_i32x4_eq(v, exp));
  }
  int any = wasm_v128_any_true(bad);
  for (; j < n; j++) any |= !(b[j] - b[j] == 0.0f);
  return !any;
}

/*
 * out[m x n] = act(bias + a[m x k] . b[k x n]), skipping the zero entries of
 * a, for a dense layer's forward pass (TensorFlow.js's _FusedMatMul): each
 * output entry starts at bias[j] (0 with no bias: bias is then 0, the null
 * offset) and adds, in order of increasing p, a[i,p] * b[p,j] over the p
 * where a[i,p] is not zero. With relu set, an entry becomes 0 unless its sum
 * is above 0, as XNNPACK's clamp pmax(0, x) does: NaN and -0 become +0. A
 * skipped term is a zero, which changes a sum only in the sign of an exact
 * zero, and relu makes every zero +0: under relu the result is the stock
 * kernel's, bit for bit. idx is room for k ints, which the caller owns (the
 * module keeps no memory of its own). Output columns are taken 32 at a time,
 * held in eight registers while the row's non-zero terms are added, so only b
 * is read per term.
 */
static inline v128_t start4(const float *bias, int j) {
  return bias ? wasm_v128_load(bias + j) : wasm_f32x4_splat(0.0f);
}

static inline v128_t act4(v128_t c, int relu) {
  return relu ? wasm_f32x4_pmax(wasm_f32x4_splat(0.0f), c) : c;
}

/*
 * The product of the left operand whose (i, p) entry is a[i * rs + p * cs]:
 * rs = k, cs = 1 for a[m x k] itself, rs = 1, cs = m for the transpose of
 * a[k x m]; each kernel below inlines it with its own strides.
 */
static inline __attribute__((always_inline)) void sparse_product(float *out, const float *a, int rs, int cs,
                                                                 const float *b, int m, int k, int n, int *idx,
                                                                 const float *bias, int relu) {
  for (int i = 0; i < m; i++) {
    const float *row = a + i * rs;
    float *o = out + i * n;
    int nnz = 0;
    for (int p = 0; p < k; p++) {
      idx[nnz] = p;
      nnz += row[p * cs] != 0.0f;
    }
    int j = 0;
    for (; j + 32 <= n; j += 32) {
      v128_t c0 = start4(bias, j), c1 = start4(bias, j + 4), c2 = start4(bias, j + 8), c3 = start4(bias, j + 12);
      v128_t c4 = start4(bias, j + 16), c5 = start4(bias, j + 20), c6 = start4(bias, j + 24),
             c7 = start4(bias, j + 28);
      for (int q = 0; q < nnz; q++) {
        int p = idx[q];
        v128_t x = wasm_f32x4_splat(row[p * cs]);
        const float *bp = b + p * n + j;
        c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(x, wasm_v128_load(bp)));
        c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(x, wasm_v128_load(bp + 4)));
        c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(x, wasm_v128_load(bp + 8)));
        c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(x, wasm_v128_load(bp + 12)));
        c4 = wasm_f32x4_add(c4, wasm_f32x4_mul(x, wasm_v128_load(bp + 16)));
        c5 = wasm_f32x4_add(c5, wasm_f32x4_mul(x, wasm_v128_load(bp + 20)));
        c6 = wasm_f32x4_add(c6, wasm_f32x4_mul(x, wasm_v128_load(bp + 24)));
        c7 = wasm_f32x4_add(c7, wasm_f32x4_mul(x, wasm_v128_load(bp + 28)));
      }
      wasm_v128_store(o + j, act4(c0, relu));
      wasm_v128_store(o + j + 4, act4(c1, relu));
      wasm_v128_store(o + j + 8, act4(c2, relu));
      wasm_v128_store(o + j + 12, act4(c3, relu));
      wasm_v128_store(o + j + 16, act4(c4, relu));
      wasm_v128_store(o + j + 20, act4(c5, relu));
      wasm_v128_store(o + j + 24, act4(c6, relu));
      wasm_v128_store(o + j + 28, act4(c7, relu));
    }
    for (; j + 4 <= n; j += 4) {
      v128_t c = start4(bias, j);
      for (int q = 0; q < nnz; q++) {
        int p = idx[q];
        c = wasm_f32x4_add(c, wasm_f32x4_mul(wasm_f32x4_splat(row[p * cs]), wasm_v128_load(b + p * n + j)));
      }
      wasm_v128_store(o + j, act4(c, relu));
    }
    for (; j < n; j++) {
      float c = bias ? bias[j] : 0.0f;
      for (int q = 0; q < nnz; q++) c += row[idx[q] * cs] * b[idx[q] * n + j];
      o[j] = relu && !(0.0f < c) ? 0.0f : c;
    }
  }
}

EXPORT(matmul_sparse_a_fused)
void matmul_sparse_a_fused(float *out, const float *a, const float *b, int m, int k, int n, int *idx,
                           const float *bias, int relu) {
  sparse_product(out, a, k, 1, b, m, k, n, idx, bias, relu);
}

/*
 * out[m x n] = a[m x k] . b[k x n], skipping the zero entries of a: each
 * output entry is the sum, in order of increasing p, of a[i,p] * b[p,j] over
 * the p where a[i,p] is not zero (the fused kernel with no bias and no relu).
 */
EXPORT(matmul_sparse_a)
void matmul_sparse_a(float *out, const float *a, const float *b, int m, int k, int n, int *idx) {
  matmul_sparse_a_fused(out, a, b, m, k, n, idx, 0, 0);
}

/*
 * out[m x n] = transpose(a[k x m]) . b[k x n], skipping the zero entries of
 * a: the terms and their order are matmul_sparse_a's on the transpose of a
 * (a dense layer's weight gradient, x^T . dy), read down a's columns in
 * place instead of from a transposed copy. The same bits, but for the sign
 * of a NaN made from two NaN terms (review 31a: +NaN where the copy gave
 * -NaN), which wasm leaves to the engine.
 */
EXPORT(matmul_sparse_at)
void matmul_sparse_at(float *out, const float *a, const float *b, int m, int k, int n, int *idx) {
  sparse_product(out, a, 1, m, b, m, k, n, idx, 0, 0);
}

/*
 * One Adam step for one variable, the float32 operations of
 * tf.train.adam's applyGradients in its order, so the results are the same
 * bits:
 *   m' = m*b1 + g*(1-b1)           v' = v*b2 + (g*g)*(1-b2)
 *   w' = ((m'/c1) / (sqrt(v'/c2) + eps)) * (-lr) + w
 * with c1 = 1 - b1^t and c2 = 1 - b2^t as the caller computed them.
 */
EXPORT(adam)
void adam(const float *w, const float *g, const float *m, const float *v, float *wo, float *mo, float *vo, int n,
          float b1, float omb1, float b2, float omb2, float c1, float c2, float eps, float neglr) {
  v128_t vb1 = wasm_f32x4_splat(b1), vomb1 = wasm_f32x4_splat(omb1);
  v128_t vb2 = wasm_f32x4_splat(b2), vomb2 = wasm_f32x4_splat(omb2);
  v128_t vc1 = wasm_f32x4_splat(c1), vc2 = wasm_f32x4_splat(c2);
  v128_t veps = wasm_f32x4_splat(eps), vlr = wasm_f32x4_splat(neglr);
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    v128_t gj = wasm_v128_load(g + j);
    v128_t mj = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + j), vb1), wasm_f32x4_mul(gj, vomb1));
    v128_t vj = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + j), vb2), wasm_f32x4_mul(wasm_f32x4_mul(gj, gj), vomb2));
    v128_t mh = wasm_f32x4_div(mj, vc1);
    v128_t vh = wasm_f32x4_div(vj, vc2);
    v128_t step = wasm_f32x4_mul(wasm_f32x4_div(mh, wasm_f32x4_add(wasm_f32x4_sqrt(vh), veps)), vlr);
    wasm_v128_store(mo + j, mj);
    wasm_v128_store(vo + j, vj);
    wasm_v128_store(wo + j, wasm_f32x4_add(step, wasm_v128_load(w + j)));
  }
  for (; j < n; j++) {
    float gj = g[j];
    float mj = m[j] * b1 + gj * omb1;
    float vj = v[j] * b2 + (gj * gj) * omb2;
    float mh = mj / c1;
    float vh = vj / c2;
    mo[j] = mj;
    vo[j] = vj;
    wo[j] = (mh / (__builtin_sqrtf(vh) + eps)) * neglr + w[j];
  }
}

/*
 * The gradient of a max pool whose windows do not overlap (stride at least
 * the window, dilation 1), NHWC, with the stock wasm kernel's choice of entry
 * (tfjs-backend-wasm's MaxPoolGrad.cc): the last entry of the window, in
 * row-major order, that is at least the largest of all the window's entries
 * and at least FLT_MIN. A window with no such entry points at the tensor's
 * first entry, which only the window that covers it then receives. Its dy is
 * added to zero, as the stock kernel sums, so -0 comes out +0. Every other
 * entry of dx is zero. The caller keeps the stock kernel when dy holds an
 * infinity or NaN: there the stock sum's dy * 0 terms are NaN.
 *
 * Four channels are searched at once: each lane keeps its own best value and
 * entry, taking a later entry when it is at least the best so far (a NaN is
 * never taken, as in the scalar comparison).
 */
static inline void pool_grad_pick(float *dx, const float *g, int at, int first) {
  if (at < 0 && first) at = 0;
  if (at >= 0) dx[at] = 0.0f + *g;
}

EXPORT(max_pool_grad)
void max_pool_grad(float *dx, const float *x, const float *dy, int batch, int in_h, int in_w, int ch, int out_h,
                   int out_w, int fh, int fw, int sh, int sw, int pad_top, int pad_left) {
  int total = batch * in_h * in_w * ch;
  v128_t z = wasm_f32x4_splat(0.0f);
  int t = 0;
  for (; t + 4 <= total; t += 4) wasm_v128_store(dx + t, z);
  for (; t < total; t++) dx[t] = 0.0f;
  v128_t lanes = wasm_i32x4_make(0, 1, 2, 3);
  for (int b = 0; b < batch; b++) {
    for (int oy = 0; oy < out_h; oy++) {
      int y0 = oy * sh - pad_top;
      int ylo = y0 < 0 ? 0 : y0, yhi = y0 + fh > in_h ? in_h : y0 + fh;
      for (int ox = 0; ox < out_w; ox++) {
        int x0 = ox * sw - pad_left;
        int xlo = x0 < 0 ? 0 : x0, xhi = x0 + fw > in_w ? in_w : x0 + fw;
        const float *g = dy + ((b * out_h + oy) * out_w + ox) * ch;
        /* Whether the tensor's first entry lies in this window (channel 0 of batch 0). */
        int covers_first = b == 0 && y0 <= 0 && 0 < y0 + fh && x0 <= 0 && 0 < x0 + fw;
        int c = 0;
        for (; c + 4 <= ch; c += 4) {
          v128_t best = wasm_f32x4_splat(__FLT_MIN__);
          v128_t at = wasm_i32x4_splat(-1);
          for (int iy = ylo; iy < yhi; iy++) {
            for (int ix = xlo; ix < xhi; ix++) {
              int i = ((b * in_h + iy) * in_w + ix) * ch + c;
              v128_t v = wasm_v128_load(x + i);
              v128_t take = wasm_f32x4_ge(v, best);
              best = wasm_v128_bitselect(v, best, take);
              at = wasm_v128_bitselect(wasm_i32x4_add(wasm_i32x4_splat(i), lanes), at, take);
            }
          }
          pool_grad_pick(dx, g + c, wasm_i32x4_extract_lane(at, 0), covers_first && c == 0);
          pool_grad_pick(dx, g + c + 1, wasm_i32x4_extract_lane(at, 1), 0);
          pool_grad_pick(dx, g + c + 2, wasm_i32x4_extract_lane(at, 2), 0);
          pool_grad_pick(dx, g + c + 3, wasm_i32x4_extract_lane(at, 3), 0);
        }
        for (; c < ch; c++) {
          float best = __FLT_MIN__;
          int at = -1;
          for (int iy = ylo; iy < yhi; iy++) {
            for (int ix = xlo; ix < xhi; ix++) {
              int i = ((b * in_h + iy) * in_w + ix) * ch + c;
              if (x[i] >= best) {
                best = x[i];
                at = i;
              }
            }
          }
          pool_grad_pick(dx, g + c, at, covers_first && c == 0);
        }
      }
    }
  }
}

/*
 * The filter gradient of a convolution, NHWC, straight from its definition:
 *   dw[p,q,c,o] = sum over b, i, j of x[b, i*sh + p*dh - top, j*sw + q*dwid - left, c] * dy[b,i,j,o]
 * each sum taken in that order (b, then i, then j), over the positions that
 * fall inside x: the zero padding's terms are left out, so the caller keeps
 * another path when dy holds an infinity or NaN (0 * dy is NaN there).
 * out_c must be a multiple of 4: output channels go four to a lane group,
 * up to 16 at once, and input channels two at once, so the sums stay in
 * registers while x and dy are read once per pass.
 */
static inline __attribute__((always_inline)) void filter_grad_block(
    float *dw, const float *x, const float *dy, int batch, int in_h, int in_w, int in_c, int out_h, int out_w,
    int out_c, int fw, int p, int q, int c0, int o0, int sh, int sw, int dh, int dwid, int top, int left, const int CB,
    const int OB) {
  v128_t acc[2][4];
  for (int u = 0; u < CB; u++)
    for (int t = 0; t < OB; t++) acc[u][t] = wasm_f32x4_splat(0.0f);
  /* The j whose column j*sw + q*dwid - left lies in [0, in_w), worked out in 64 bits. */
  long long shift = (long long)q * dwid - left;
  long long lo = shift >= 0 ? 0 : (-shift + sw - 1) / sw;
  long long hi = in_w - shift <= 0 ? 0 : (in_w - shift + sw - 1) / sw;
  int jlo = lo > out_w ? out_w : (int)lo;
  int jhi = hi > out_w ? out_w : hi < jlo ? jlo : (int)hi;
  for (int b = 0; b < batch; b++) {
    for (int i = 0; i < out_h; i++) {
      int iy = i * sh + p * dh - top;
      if (iy < 0 || iy >= in_h) continue;
      const float *xr = x + (((long long)b * in_h + iy) * in_w + shift) * in_c + c0;
      const float *dr = dy + (b * out_h + i) * out_w * out_c + o0;
      for (int j = jlo; j < jhi; j++) {
        const float *xp = xr + j * sw * in_c;
        const float *dp = dr + j * out_c;
        v128_t d[4];
        for (int t = 0; t < OB; t++) d[t] = wasm_v128_load(dp + 4 * t);
        for (int u = 0; u < CB; u++) {
          v128_t xv = wasm_f32x4_splat(xp[u]);
          for (int t = 0; t < OB; t++) acc[u][t] = wasm_f32x4_add(acc[u][t], wasm_f32x4_mul(xv, d[t]));
        }
      }
    }
  }
  for (int u = 0; u < CB; u++)
    for (int t = 0; t < OB; t++) wasm_v128_store(dw + ((p * fw + q) * in_c + c0 + u) * out_c + o0 + 4 * t, acc[u][t]);
}

#define FILTER_GRAD_BLOCK(CB, OB)                                                                                  \
  filter_grad_block(dw, x, dy, batch, in_h, in_w, in_c, out_h, out_w, out_c, fw, p, q, c0, o0, sh, sw, dh, dwid, top, \
                    left, CB, OB)

EXPORT(conv2d_filter_grad)
void conv2d_filter_grad(float *dw, const float *x, const float *dy, int batch, int in_h, int in_w, int in_c,
                        int out_h, int out_w, int out_c, int fh, int fw, int sh, int sw, int dh, int dwid, int top,
                        int left) {
  /*
   * The bounds below hold for strides and dilations of at least 1 and padding of at least 0, and the int
   * arithmetic for the sizes the caller allows (wasm-kernels.ts filterGradInPlace): every offset below 2^31.
   */
  if (sh < 1 || sw < 1 || dh < 1 || dwid < 1 || top < 0 || left < 0 || out_c % 4) __builtin_trap();
  for (int p = 0; p < fh; p++) {
    for (int q = 0; q < fw; q++) {
      int c0 = 0;
      for (; c0 + 2 <= in_c; c0 += 2) {
        int o0 = 0;
        for (; o0 + 16 <= out_c; o0 += 16) FILTER_GRAD_BLOCK(2, 4);
        for (; o0 + 8 <= out_c; o0 += 8) FILTER_GRAD_BLOCK(2, 2);
        for (; o0 + 4 <= out_c; o0 += 4) FILTER_GRAD_BLOCK(2, 1);
      }
      for (; c0 < in_c; c0++) {
        int o0 = 0;
        for (; o0 + 16 <= out_c; o0 += 16) FILTER_GRAD_BLOCK(1, 4);
        for (; o0 + 8 <= out_c; o0 += 8) FILTER_GRAD_BLOCK(1, 2);
        for (; o0 + 4 <= out_c; o0 += 4) FILTER_GRAD_BLOCK(1, 1);
      }
    }
  }
}

/*
 * out[j] = x[0][j] + x[1][j] + ... + x[rows-1][j] for x[rows x n]: a Sum over
 * a tensor's leading axes (the bias gradient of a dense or convolution layer),
 * where the stock kernel first transposes the whole tensor. Each sum starts at
 * 0 and adds the rows in order, as the stock kernel adds the transposed
 * tensor's entries in order: the same bits.
 */
EXPORT(sum_leading)
void sum_leading(float *out, const float *x, int rows, int n) {
  int j = 0;
  for (; j + 16 <= n; j += 16) {
    v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0, s2 = s0, s3 = s0;
    for (int r = 0; r < rows; r++) {
      const float *row = x + r * n + j;
      s0 = wasm_f32x4_add(s0, wasm_v128_load(row));
      s1 = wasm_f32x4_add(s1, wasm_v128_load(row + 4));
      s2 = wasm_f32x4_add(s2, wasm_v128_load(row + 8));
      s3 = wasm_f32x4_add(s3, wasm_v128_load(row + 12));
    }
    wasm_v128_store(out + j, s0);
    wasm_v128_store(out + j + 4, s1);
    wasm_v128_store(out + j + 8, s2);
    wasm_v128_store(out + j + 12, s3);
  }
  for (; j + 4 <= n; j += 4) {
    v128_t s = wasm_f32x4_splat(0.0f);
    for (int r = 0; r < rows; r++) s = wasm_f32x4_add(s, wasm_v128_load(x + r * n + j));
    wasm_v128_store(out + j, s);
  }
  for (; j < n; j++) {
    float s = 0.0f;
    for (int r = 0; r < rows; r++) s += x[r * n + j];
    out[j] = s;
  }
}

/*
 * out[r][j] = x[r][j] + v[j] for x[rows x n] (or v[j] + x[r][j] with
 * v_first, the stock kernel's order when the vector is its first operand):
 * adding a bias to every row (a layer's bias under a gradient tape, where
 * TensorFlow.js runs it unfused), which the stock kernel broadcasts element
 * by element. One float32 addition per entry: the same bits, a NaN's payload
 * aside (NaN stays NaN; which operand's payload a sum of two NaNs keeps is
 * the engine's choice).
 */
EXPORT(add_row_vector)
void add_row_vector(float *out, const float *x, const float *v, int rows, int n, int v_first) {
  for (int r = 0; r < rows; r++) {
    const float *row = x + r * n;
    float *o = out + r * n;
    int j = 0;
    if (v_first) {
      for (; j + 4 <= n; j += 4) wasm_v128_store(o + j, wasm_f32x4_add(wasm_v128_load(v + j), wasm_v128_load(row + j)));
      for (; j < n; j++) o[j] = v[j] + row[j];
    } else {
      for (; j + 4 <= n; j += 4) wasm_v128_store(o + j, wasm_f32x4_add(wasm_v128_load(row + j), wasm_v128_load(v + j)));
      for (; j < n; j++) o[j] = row[j] + v[j];
    }
  }
}

/*
 * out = the rows of x picked by idx, for each of `outer` blocks of `dim`
 * rows (GatherV2 along one axis: an embedding lookup, a batch of training
 * rows): a copy of row_bytes bytes per index, the bytes as they are.
 * Returns -1, or copies nothing and returns the position of the first index
 * outside [0, dim): the indices are checked here, where they are read, as
 * well as by the caller. Offsets are unsigned: every one lies inside a
 * tensor, so inside the 32-bit memory.
 */
EXPORT(gather_rows)
int gather_rows(unsigned char *out, const unsigned char *x, const int *idx, int outer, int dim, int n_idx,
                int row_bytes) {
  for (int i = 0; i < n_idx; i++)
    if (idx[i] < 0 || idx[i] >= dim) return i;
  unsigned int rb = (unsigned int)row_bytes;
  unsigned int at = 0;
  for (int o = 0; o < outer; o++) {
    const unsigned char *block = x + (unsigned int)o * (unsigned int)dim * rb;
    for (int i = 0; i < n_idx; i++) {
      const unsigned char *from = block + (unsigned int)idx[i] * rb;
      unsigned char *to = out + at;
      unsigned int b = 0;
      for (; b + 16 <= rb; b += 16) wasm_v128_store(to + b, wasm_v128_load(from + b));
      for (; b < rb; b++) to[b] = from[b];
      at += rb;
    }
  }
  return -1;
}
