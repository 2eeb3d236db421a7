//! The pipeline's fixed (untrained) geometry: the garment-agnostic mask, the
//! moment alignment that places the product image roughly over the torso
//! before the warp network refines it, and sampling grids. Plain tensor ops,
//! so they run on every backend and gradients pass through.

use burn::prelude::*;
use burn::tensor::module::max_pool2d;
use burn::tensor::ops::MaxPoolOptions;

use super::parts::{KEPT, REPLACED};

const EPS: f32 = 1e-4;

/// Sum of the given part channels: [N, P, H, W] → [N, 1, H, W].
pub fn parts_sum(parts: &Tensor<4>, which: &[usize]) -> Tensor<4> {
    let [n, _, h, w] = parts.dims();
    which
        .iter()
        .map(|&p| parts.clone().slice([0..n, p..p + 1, 0..h, 0..w]))
        .reduce(|a, b| a + b)
        .expect("at least one part")
}

/// Where the new garment may be painted: the replaced parts, grown by
/// `dilation` pixels (so the old garment's edge goes too), minus every kept
/// part. `parts`: part probabilities (or one-hot labels) [N, P, H, W].
pub fn agnostic_mask(parts: &Tensor<4>, dilation: usize) -> Tensor<4> {
    let replaced = parts_sum(parts, &REPLACED).greater_elem(0.5).float();
    let kernel = 2 * dilation + 1;
    let grown = max_pool2d(
        replaced,
        MaxPoolOptions::new([kernel, kernel]).with_stride([1, 1]).with_padding([dilation, dilation]),
    );
    let kept = parts_sum(parts, &KEPT).greater_elem(0.5).float();
    grown * (kept.neg() + 1.0)
}

/// The person with the agnostic region filled with mid grey.
pub fn agnostic_image(person: &Tensor<4>, mask: &Tensor<4>) -> Tensor<4> {
    person.clone() * (mask.clone().neg() + 1.0) + mask.clone() * 0.5
}

/// Pixel-centre coordinates in [-1, 1] (grid_sample, align_corners = false):
/// xs [1, 1, 1, W], ys [1, 1, H, 1].
fn coordinates(h: usize, w: usize, device: &Device) -> (Tensor<4>, Tensor<4>) {
    let axis = |n: usize| -> Vec<f32> { (0..n).map(|i| (2 * i + 1) as f32 / n as f32 - 1.0).collect() };
    let xs = Tensor::<1>::from_floats(axis(w).as_slice(), device).reshape([1, 1, 1, w]);
    let ys = Tensor::<1>::from_floats(axis(h).as_slice(), device).reshape([1, 1, h, 1]);
    (xs, ys)
}

/// Centre and spread of a soft mask [N, 1, H, W] in normalised coordinates:
/// (cx, cy, sx, sy), each [N, 1, 1, 1].
pub fn moments(mask: &Tensor<4>) -> [Tensor<4>; 4] {
    let [_, _, h, w] = mask.dims();
    let (xs, ys) = coordinates(h, w, &mask.device());
    let total = |t: Tensor<4>| t.sum_dim(2).sum_dim(3);
    let mass = total(mask.clone()) + EPS;
    let cx = total(mask.clone() * xs.clone()) / mass.clone();
    let cy = total(mask.clone() * ys.clone()) / mass.clone();
    let sx = (total(mask.clone() * (xs - cx.clone()).powi_scalar(2)) / mass.clone() + EPS).sqrt();
    let sy = (total(mask.clone() * (ys - cy.clone()).powi_scalar(2)) / mass + EPS).sqrt();
    [cx, cy, sx, sy]
}

/// The moment alignment of a garment mask onto a target region: output
/// pixel p samples the garment at c_garment + (p - c_target) · s_garment / s_target.
/// The moments are taken once; [`Alignment::grid`] then serves any resolution.
pub struct Alignment {
    garment: [Tensor<4>; 4],
    target: [Tensor<4>; 4],
}

impl Alignment {
    pub fn new(garment_mask: &Tensor<4>, target: &Tensor<4>) -> Self {
        Self { garment: moments(garment_mask), target: moments(target) }
    }

    /// Sampling grid [N, h, w, 2].
    pub fn grid(&self, h: usize, w: usize) -> Tensor<4> {
        let [gcx, gcy, gsx, gsy] = self.garment.clone();
        let [tcx, tcy, tsx, tsy] = self.target.clone();
        let [n, _, _, _] = gcx.dims();
        let (xs, ys) = coordinates(h, w, &gcx.device());
        let x = (xs - tcx) * (gsx / tsx) + gcx; // [N, 1, 1, w]
        let y = (ys - tcy) * (gsy / tsy) + gcy; // [N, 1, h, 1]
        let x = x.expand([n, 1, h, w]);
        let y = y.expand([n, 1, h, w]);
        Tensor::cat(vec![x, y], 1).permute([0, 2, 3, 1])
    }
}

/// Bilinear sampling with zeros outside the source (grid_sample semantics:
/// `align_corners = false`, zeros padding). source [N, C, H, W], grid
/// [N, h, w, 2] of (x, y) in [-1, 1] → [N, C, h, w].
///
/// Written with gathers instead of burn's `grid_sample_2d` because the WebGPU
/// kernel of burn 0.22 returns different values from the CPU one for the same
/// grid (measured: up to 0.9 apart), while these primitive ops agree on both;
/// gradients reach both the source (through the gathers) and the grid
/// (through the bilinear weights).
pub fn sample(source: Tensor<4>, grid: Tensor<4>) -> Tensor<4> {
    let [n, c, h_in, w_in] = source.dims();
    let [_, h, w, _] = grid.dims();
    let flat = source.reshape([n, c, h_in * w_in]);
    let gx = grid.clone().slice([0..n, 0..h, 0..w, 0..1]).reshape([n, h * w]);
    let gy = grid.slice([0..n, 0..h, 0..w, 1..2]).reshape([n, h * w]);
    // Pixel coordinates: -1 is the left edge of pixel 0, +1 the right edge of the last.
    let x = (gx + 1.0) * (w_in as f64 / 2.0) - 0.5;
    let y = (gy + 1.0) * (h_in as f64 / 2.0) - 0.5;
    let (x0, y0) = (x.clone().floor(), y.clone().floor());
    let (fx, fy) = (x - x0.clone(), y - y0.clone());
    let corner = |dx: f64, dy: f64, weight: Tensor<2>| {
        let (xi, yi) = (x0.clone() + dx, y0.clone() + dy);
        let inside = xi.clone().greater_equal_elem(0.0).float()
            * xi.clone().lower_equal_elem((w_in - 1) as f64).float()
            * yi.clone().greater_equal_elem(0.0).float()
            * yi.clone().lower_equal_elem((h_in - 1) as f64).float();
        let index = (yi.clamp(0.0, (h_in - 1) as f64) * w_in as f64 + xi.clamp(0.0, (w_in - 1) as f64)).int();
        let index = index.unsqueeze_dim::<3>(1).expand([n, c, h * w]);
        flat.clone().gather(2, index) * (weight * inside).unsqueeze_dim::<3>(1)
    };
    let (gx1, gy1) = (fx.clone().neg() + 1.0, fy.clone().neg() + 1.0);
    let value = corner(0.0, 0.0, gx1.clone() * gy1.clone())
        + corner(1.0, 0.0, fx.clone() * gy1)
        + corner(0.0, 1.0, gx1 * fy.clone())
        + corner(1.0, 1.0, fx * fy);
    value.reshape([n, c, h, w])
}

#[cfg(test)]
mod tests {
    use super::super::parts::{FACE, NUM_PARTS, UPPER_CLOTHES};
    use super::*;

    fn one_hot(labels: &[usize], h: usize, w: usize) -> Tensor<4> {
        let mut data = vec![0f32; NUM_PARTS * h * w];
        for (i, &l) in labels.iter().enumerate() {
            data[l * h * w + i] = 1.0;
        }
        Tensor::<1>::from_floats(data.as_slice(), &Device::flex()).reshape([1, NUM_PARTS, h, w])
    }

    #[test]
    fn agnostic_mask_grows_the_garment_but_spares_the_face() {
        // 1 x 8 strip: face at 0, garment at 3..5, background elsewhere.
        let labels = [FACE, 0, 0, UPPER_CLOTHES, UPPER_CLOTHES, 0, 0, 0];
        let mask = agnostic_mask(&one_hot(&labels, 1, 8), 2);
        let got: Vec<f32> = mask.into_data().try_into_vec::<f32>().unwrap();
        assert_eq!(got, vec![0., 1., 1., 1., 1., 1., 1., 0.]);
    }

    #[test]
    fn sample_matches_burns_grid_sample_on_the_cpu() {
        use burn::tensor::ops::{GridSampleOptions, GridSamplePaddingMode, InterpolateMode};
        let (device, _rng) = crate::seeded_flex(5);
        let source = Tensor::<4>::random([2, 3, 8, 6], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
        // Includes points outside [-1, 1] (zeros padding) and exact pixel centres.
        let grid = Tensor::<4>::random([2, 5, 4, 2], burn::tensor::Distribution::Uniform(-1.3, 1.3), &device);
        let ours = sample(source.clone(), grid.clone());
        let burns = source.grid_sample_2d(
            grid,
            GridSampleOptions::new(InterpolateMode::Bilinear).with_padding_mode(GridSamplePaddingMode::Zeros),
        );
        let diff = (ours - burns).abs().max().into_scalar::<f32>();
        assert!(diff < 1e-5, "{diff}");
    }

    #[test]
    fn alignment_maps_a_box_onto_a_box() {
        let device = Device::flex();
        let (h, w) = (16, 16);
        let square = |y0: usize, y1: usize, x0: usize, x1: usize| {
            let mut d = vec![0f32; h * w];
            for y in y0..y1 {
                for x in x0..x1 {
                    d[y * w + x] = 1.0;
                }
            }
            Tensor::<1>::from_floats(d.as_slice(), &device).reshape([1, 1, h, w])
        };
        let garment = square(4, 12, 4, 12);
        let target = square(0, 4, 0, 4);
        let warped = sample(garment.clone(), Alignment::new(&garment, &target).grid(h, w));
        let got: Vec<f32> = warped.into_data().try_into_vec::<f32>().unwrap();
        let inside: f32 = (0..4).flat_map(|y| (0..4).map(move |x| (y, x))).map(|(y, x)| got[y * w + x]).sum();
        let total: f32 = got.iter().sum();
        assert!(inside > 14.0, "the box lands on the target: {inside}");
        assert!(total - inside < 2.0, "and nowhere else: {}", total - inside);
    }
}
