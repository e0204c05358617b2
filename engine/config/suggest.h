// "Did you mean": the word a typo most likely meant, for messages about
// unknown keys, sections and ids (ConfigError words the suggestion). The only
// edit-distance function of hallq. Pure; any thread.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace hallq::config {

// Levenshtein distance (insertions, deletions, substitutions); meant for
// short words (O(|a| * |b|)).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is within two edits (more is a
// different word, not a typo) and not a rewrite of the whole candidate;
// empty if none is. The first of equally close candidates wins.
std::string_view closest(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace hallq::config
