//! Matching: worker profiles, the scoring pipeline, the optimal cycle, explanations.

pub mod solver;
