//! Part labels for photos that have none, from a trained parser (self-training
//! on real-ccp's unlabelled photos): the parser sees the photo through 3:4
//! frames that together cover it (the widget's frame size, slid along the
//! photo's long side), its part probabilities are brought back onto the
//! photo's pixels and averaged where frames overlap, and a pixel whose best
//! part is less likely than a threshold is left unlabelled (`UNLABELLED`), so
//! the training loss skips what the teacher was unsure of.

use super::portrait::Frame;
use crate::model::tryon::parts::{lip_of_part, NUM_PARTS, UNLABELLED};

/// The 3:4 (model aspect) frames that cover a `width`×`height` photo: the
/// largest such frame at both ends of the photo's long side (one frame when
/// the photo already has the model's aspect). Pixel-aligned as `crop_photo`
/// crops them.
pub fn covering_frames(width: usize, height: usize, aspect: f32) -> Vec<Frame> {
    let centred = Frame::centred(width, height, aspect);
    let (fw, fh) = (centred.width.round().max(1.0), centred.height.round().max(1.0));
    let first = Frame { x: 0.0, y: 0.0, width: fw, height: fh };
    let last = Frame { x: (width as f32 - fw).max(0.0), y: (height as f32 - fh).max(0.0), width: fw, height: fh };
    if last == first {
        vec![first]
    } else {
        vec![first, last]
    }
}

/// Part probabilities summed over frames, per photo pixel.
pub struct ProbabilitySum {
    width: usize,
    height: usize,
    /// `NUM_PARTS` planes of width×height.
    sum: Vec<f32>,
    /// How many frames saw each pixel.
    seen: Vec<f32>,
}

impl ProbabilitySum {
    pub fn new(width: usize, height: usize) -> Self {
        Self { width, height, sum: vec![0.0; NUM_PARTS * width * height], seen: vec![0.0; width * height] }
    }

    /// Add the parser's probabilities `planes` (`NUM_PARTS` planes of
    /// `model_width`×`model_height`) of the photo cropped to `frame`: each
    /// photo pixel inside the frame takes them bilinearly at its own position.
    pub fn add_frame(&mut self, frame: Frame, planes: &[f32], model_width: usize, model_height: usize) {
        let plane = model_width * model_height;
        assert_eq!(planes.len(), NUM_PARTS * plane, "one probability plane per part");
        let (x0, y0) = (frame.x.floor().max(0.0) as usize, frame.y.floor().max(0.0) as usize);
        let x1 = (x0 + frame.width.round() as usize).min(self.width);
        let y1 = (y0 + frame.height.round() as usize).min(self.height);
        let (sx, sy) = (model_width as f32 / (x1 - x0) as f32, model_height as f32 / (y1 - y0) as f32);
        let photo_plane = self.width * self.height;
        for py in y0..y1 {
            let my = ((py - y0) as f32 + 0.5) * sy - 0.5;
            let (ya, fy) = split(my, model_height);
            for px in x0..x1 {
                let mx = ((px - x0) as f32 + 0.5) * sx - 0.5;
                let (xa, fx) = split(mx, model_width);
                let (xb, yb) = ((xa + 1).min(model_width - 1), (ya + 1).min(model_height - 1));
                let i = py * self.width + px;
                for part in 0..NUM_PARTS {
                    let at = |x: usize, y: usize| planes[part * plane + y * model_width + x];
                    let top = at(xa, ya) * (1.0 - fx) + at(xb, ya) * fx;
                    let bottom = at(xa, yb) * (1.0 - fx) + at(xb, yb) * fx;
                    self.sum[part * photo_plane + i] += top * (1.0 - fy) + bottom * fy;
                }
                self.seen[i] += 1.0;
            }
        }
    }

    /// LIP ids per photo pixel (as `image-parse/` stores them): the most
    /// likely part where its mean probability is at least `min_confidence`,
    /// `UNLABELLED` elsewhere and where no frame reached.
    pub fn lip_labels(&self, min_confidence: f32) -> Vec<u8> {
        let photo_plane = self.width * self.height;
        (0..photo_plane)
            .map(|i| {
                if self.seen[i] == 0.0 {
                    return UNLABELLED;
                }
                let (best, p) = (0..NUM_PARTS).map(|part| (part, self.sum[part * photo_plane + i] / self.seen[i])).fold((0, f32::MIN), |a, b| {
                    if b.1 > a.1 {
                        b
                    } else {
                        a
                    }
                });
                if p >= min_confidence {
                    lip_of_part(best)
                } else {
                    UNLABELLED
                }
            })
            .collect()
    }
}

/// Integer cell and fraction of a sampling coordinate, clamped to the plane.
fn split(coordinate: f32, size: usize) -> (usize, f32) {
    let c = coordinate.clamp(0.0, (size - 1) as f32);
    let cell = (c.floor() as usize).min(size - 1);
    (cell, c - cell as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tryon::parts::{part_of_lip, FACE, HAIR};

    #[test]
    fn two_frames_cover_a_tall_photo_and_one_a_photo_of_the_model_aspect() {
        let frames = covering_frames(254, 384, 0.75);
        assert_eq!(frames.len(), 2);
        assert_eq!((frames[0].y, frames[0].width, frames[0].height), (0.0, 254.0, 339.0));
        assert_eq!(frames[1].y + frames[1].height, 384.0, "the second frame ends at the bottom");
        assert_eq!(covering_frames(192, 256, 0.75).len(), 1);
        let wide = covering_frames(400, 300, 0.75);
        assert_eq!((wide[0].x, wide[1].x + wide[1].width), (0.0, 400.0));
    }

    /// Probability planes that say `part` with probability `p` everywhere
    /// (the rest spread over the other parts).
    fn planes_saying(part: usize, p: f32, w: usize, h: usize) -> Vec<f32> {
        let other = (1.0 - p) / (NUM_PARTS - 1) as f32;
        (0..NUM_PARTS).flat_map(|k| vec![if k == part { p } else { other }; w * h]).collect()
    }

    #[test]
    fn frames_are_averaged_where_they_overlap_and_unsure_pixels_stay_unlabelled() {
        // A 4x8 photo, two 4x6 frames (rows 0-5 and 2-7), model size 2x3.
        let frames = covering_frames(4, 8, 4.0 / 6.0);
        assert_eq!(frames.len(), 2);
        let mut sum = ProbabilitySum::new(4, 8);
        sum.add_frame(frames[0], &planes_saying(HAIR, 0.9, 2, 3), 2, 3);
        sum.add_frame(frames[1], &planes_saying(FACE, 0.9, 2, 3), 2, 3);
        let labels = sum.lip_labels(0.6);
        let part = |row: usize| labels[row * 4].ne(&UNLABELLED).then(|| part_of_lip(labels[row * 4]).unwrap() as usize);
        assert_eq!(part(0), Some(HAIR), "only the first frame saw the top rows");
        assert_eq!(part(7), Some(FACE), "only the second frame saw the bottom rows");
        // Rows 2-5: hair 0.45 + 0.0143 and face the same: nothing reaches 0.6.
        assert_eq!(part(3), None);
        assert!(sum.lip_labels(0.4)[3 * 4] != UNLABELLED, "a lower threshold labels them");
        assert!(ProbabilitySum::new(2, 2).lip_labels(0.0).iter().all(|&l| l == UNLABELLED), "unseen pixels are unlabelled");
    }
}
