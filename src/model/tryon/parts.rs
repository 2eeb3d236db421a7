//! Body-part classes. The data labels parts with LIP ids; the parser predicts
//! a compact set that keeps exactly the distinctions the pipeline needs
//! (what to replace, what to keep in front, what to leave untouched).

pub const BACKGROUND: usize = 0;
pub const HAIR: usize = 1;
pub const FACE: usize = 2;
pub const UPPER_CLOTHES: usize = 3;
/// Neck and torso skin: replaced along with the garment (a new garment may cover more or less of it).
pub const TORSO_SKIN: usize = 4;
pub const ARMS: usize = 5;
pub const PANTS: usize = 6;
/// Legs and shoes.
pub const LEGS: usize = 7;
pub const NUM_PARTS: usize = 8;

/// A pixel without a label (LIP id 255, kept as 255): what `vitrine parse
/// --min-confidence` writes where its parser was unsure. The parser's loss and
/// the IoU counts skip it, as segmentation's usual "ignore index".
pub const UNLABELLED: u8 = 255;

pub const PART_NAMES: [&str; NUM_PARTS] = ["background", "hair", "face", "upper-clothes", "torso-skin", "arms", "pants", "legs"];

/// Parts the garment replaces (before dilation).
pub const REPLACED: [usize; 2] = [UPPER_CLOTHES, TORSO_SKIN];
/// Parts never painted over: hair and face stay, arms stay in front of the new garment,
/// trousers and legs stay as they are.
pub const KEPT: [usize; 5] = [HAIR, FACE, ARMS, PANTS, LEGS];

/// Compact part of a LIP / CIHP label id; `None` for ids this data never uses.
pub fn part_of_lip(lip: u8) -> Option<u8> {
    Some(match lip {
        0 => BACKGROUND,
        2 => HAIR,
        13 => FACE,
        5 | 6 | 7 => UPPER_CLOTHES, // upper clothes, dress, coat
        10 | 11 => TORSO_SKIN,      // neck / torso skin, scarf
        14 | 15 | 3 => ARMS,        // arms, gloves
        9 | 12 => PANTS,            // pants, skirt
        16 | 17 | 18 | 19 | 8 => LEGS, // legs, shoes, socks
        1 | 4 => HAIR,              // hat, sunglasses: kept like hair
        UNLABELLED => return Some(UNLABELLED),
        _ => return None,
    } as u8)
}

/// The LIP id written for a predicted part (the inverse of [`part_of_lip`] on
/// the ids this data uses; both arms become 14, legs and shoes 16).
pub fn lip_of_part(part: usize) -> u8 {
    match part {
        HAIR => 2,
        FACE => 13,
        UPPER_CLOTHES => 5,
        TORSO_SKIN => 10,
        ARMS => 14,
        PANTS => 9,
        LEGS => 16,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lip_id_in_the_data_has_a_part_and_kept_and_replaced_are_disjoint() {
        for lip in [0u8, 2, 5, 9, 10, 13, 14, 15, 16, 17, 18, 19] {
            assert!(part_of_lip(lip).is_some(), "LIP id {lip}");
        }
        assert_eq!(part_of_lip(5), Some(UPPER_CLOTHES as u8));
        assert_eq!(part_of_lip(14), part_of_lip(15));
        assert_eq!(part_of_lip(200), None);
        assert_eq!(part_of_lip(255), Some(UNLABELLED), "no label stays no label");
        assert!(REPLACED.iter().all(|p| !KEPT.contains(p)));
        for part in 0..NUM_PARTS {
            assert_eq!(part_of_lip(lip_of_part(part)), Some(part as u8), "part {part} survives a round trip");
        }
    }
}
