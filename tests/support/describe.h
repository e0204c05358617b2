// Test failure messages for plain values, from one generic mechanism: an
// aggregate (a struct of public fields, like the core's events, commands,
// tickets and states) is taken apart field by field with structured bindings,
// so a field added to a struct is printed and diffed without touching this
// file. Comparisons stay with the types' own operator==; this only explains
// a difference once == has found one.
//
//   describe(v)      one line: strings quoted, enums by name when the type's
//                    namespace has to_string, aggregates as {a, b, ...},
//                    vectors as [a, b], variants as name{...} (event_name or
//                    verb when its namespace has one)
//   diff(a, b)       the leaves where two values differ, as "path: a vs b";
//                    fields are named by position ("tickets[3].#5"), or by
//                    name where the type offers field_names (below)
//
// Hooks, found by argument-dependent lookup: a non-aggregate class may join
// by an overload of fields_of(const T&) returning a std::tuple of references;
// a type may name its fields for diff paths with field_names(const T&)
// returning an array of names, used only while it has as many names as
// fields (a field added later shows by position until it is named).
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace hallq::test {
namespace describe_detail {

// Converts to anything: counts the initializers an aggregate accepts.
struct AnyField {
  template <class T>
  operator T() const;  // NOLINT: implicit on purpose; only used unevaluated
};

template <class T, std::size_t... I>
constexpr bool takes(std::index_sequence<I...>) {
  return requires { T{(static_cast<void>(I), AnyField{})...}; };
}

inline constexpr std::size_t kMaxFields = 24;

// Fields of an aggregate: the most initializers it accepts (kMaxFields + 1
// meaning more than aggregate_fields can take apart).
template <class T, std::size_t N = 0>
constexpr std::size_t field_count() {
  if constexpr (N <= kMaxFields && takes<T>(std::make_index_sequence<N + 1>{})) {
    return field_count<T, N + 1>();
  } else {
    return N;
  }
}

template <class T>
constexpr bool plain_aggregate() {
  if constexpr (std::is_aggregate_v<T> && std::is_class_v<T>) {
    return field_count<T>() <= kMaxFields;
  } else {
    return false;
  }
}

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T>
struct is_pair : std::false_type {};
template <class A, class B>
struct is_pair<std::pair<A, B>> : std::true_type {};
template <class T>
struct is_variant : std::false_type {};
template <class... T>
struct is_variant<std::variant<T...>> : std::true_type {};

// References to an aggregate's fields, in declaration order.
template <class T>
auto aggregate_fields(const T& v) {
  constexpr std::size_t n = field_count<T>();
  static_assert(n <= kMaxFields, "aggregate_fields: raise kMaxFields and add a case");
  // clang-format off
  if constexpr (n == 0) { return std::tie(); }
  else if constexpr (n == 1) { const auto& [a] = v; return std::tie(a); }
  else if constexpr (n == 2) { const auto& [a, b] = v; return std::tie(a, b); }
  else if constexpr (n == 3) { const auto& [a, b, c] = v; return std::tie(a, b, c); }
  else if constexpr (n == 4) { const auto& [a, b, c, d] = v; return std::tie(a, b, c, d); }
  else if constexpr (n == 5) { const auto& [a, b, c, d, e] = v; return std::tie(a, b, c, d, e); }
  else if constexpr (n == 6) { const auto& [a, b, c, d, e, f] = v; return std::tie(a, b, c, d, e, f); }
  else if constexpr (n == 7) { const auto& [a, b, c, d, e, f, g] = v; return std::tie(a, b, c, d, e, f, g); }
  else if constexpr (n == 8) {
    const auto& [a, b, c, d, e, f, g, h] = v; return std::tie(a, b, c, d, e, f, g, h);
  } else if constexpr (n == 9) {
    const auto& [a, b, c, d, e, f, g, h, i] = v; return std::tie(a, b, c, d, e, f, g, h, i);
  } else if constexpr (n == 10) {
    const auto& [a, b, c, d, e, f, g, h, i, j] = v; return std::tie(a, b, c, d, e, f, g, h, i, j);
  } else if constexpr (n == 11) {
    const auto& [a, b, c, d, e, f, g, h, i, j, k] = v; return std::tie(a, b, c, d, e, f, g, h, i, j, k);
  } else if constexpr (n == 12) {
    const auto& [a, b, c, d, e, f, g, h, i, j, k, l] = v;
    return std::tie(a, b, c, d, e, f, g, h, i, j, k, l);
  } else if constexpr (n == 13) {
    const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m] = v;
    return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m);
  } else if constexpr (n == 14) {
    const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, o] = v;
    return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m, o);
  } else if constexpr (n == 15) {
    const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, o, p] = v;
    return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m, o, p);
  } else if constexpr (n == 16) {
    const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q] = v;
    return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q);
  } else if constexpr (n == 17) {
    const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r] = v;
    return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r);
  } else if constexpr (n == 18) {
    const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s] = v;
    return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s);
  } else if constexpr (n == 19) {
    const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s, t] = v;
    return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s, t);
  } else if constexpr (n == 20) {
    const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s, t, u] = v;
    return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s, t, u);
  } else if constexpr (n == 21) {
    const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s, t, u, w] = v;
    return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s, t, u, w);
  } else if constexpr (n == 22) {
    const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s, t, u, w, x] = v;
    return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s, t, u, w, x);
  } else if constexpr (n == 23) {
    const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s, t, u, w, x, y] = v;
    return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s, t, u, w, x, y);
  } else {
    const auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s, t, u, w, x, y, z] = v;
    return std::tie(a, b, c, d, e, f, g, h, i, j, k, l, m, o, p, q, r, s, t, u, w, x, y, z);
  }
  // clang-format on
}

// Types that print as one value rather than by parts.
template <class T>
constexpr bool is_leaf = std::is_arithmetic_v<T> || std::is_enum_v<T> || std::is_same_v<T, std::string> ||
                         std::is_same_v<T, std::string_view>;

}  // namespace describe_detail

// The fields of an aggregate, or of a type with a fields_of overload.
template <class T>
auto fields(const T& v) {
  if constexpr (requires { fields_of(v); }) {
    return fields_of(v);
  } else {
    return describe_detail::aggregate_fields(v);
  }
}

template <class T>
constexpr bool has_fields() {
  if constexpr (requires(const T& v) { fields_of(v); }) {
    return true;
  } else {
    return describe_detail::plain_aggregate<T>();
  }
}

template <class T>
std::string describe(const T& v);

namespace describe_detail {

template <class V>
std::string variant_name(const V& v) {
  if constexpr (requires { event_name(v); }) {
    return std::string(event_name(v));
  } else if constexpr (requires { verb(v); }) {
    return std::string(verb(v));
  } else {
    return fmt::format("#{}", v.index());
  }
}

}  // namespace describe_detail

// One line describing `v` (see the file comment).
template <class T>
std::string describe(const T& v) {
  using namespace describe_detail;
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
    return fmt::format("\"{}\"", v);
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_enum_v<T>) {
    if constexpr (requires { to_string(v); }) {
      return std::string(to_string(v));
    } else {
      return fmt::format("{}", static_cast<long long>(v));
    }
  } else if constexpr (std::is_floating_point_v<T>) {
    return fmt::format("{:.17g}", v);
  } else if constexpr (std::is_integral_v<T>) {
    return fmt::format("{}", static_cast<long long>(v));
  } else if constexpr (is_vector<T>::value) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + describe(x);
    return "[" + s + "]";
  } else if constexpr (is_pair<T>::value) {
    return fmt::format("({}, {})", describe(v.first), describe(v.second));
  } else if constexpr (is_variant<T>::value) {
    return variant_name(v) + std::visit([](const auto& x) { return describe(x); }, v);
  } else if constexpr (has_fields<T>()) {
    std::string s;
    std::apply([&](const auto&... f) { ((s += (s.empty() ? "" : ", ") + describe(f)), ...); }, fields(v));
    return "{" + s + "}";
  } else {
    static_assert(sizeof(T) == 0, "describe: no way to print this type");
  }
}

// Appends "path: a vs b" for every leaf where `a` and `b` differ.
template <class T>
void diff(const T& a, const T& b, const std::string& path, std::vector<std::string>& out) {
  using namespace describe_detail;
  if (a == b) return;
  if constexpr (is_vector<T>::value) {
    if (a.size() != b.size()) {
      out.push_back(fmt::format("{}: {} vs {} elements", path, a.size(), b.size()));
    } else {
      for (std::size_t i = 0; i < a.size(); ++i) diff(a[i], b[i], fmt::format("{}[{}]", path, i), out);
    }
  } else if constexpr (is_pair<T>::value) {
    diff(a.first, b.first, path + ".first", out);
    diff(a.second, b.second, path + ".second", out);
  } else if constexpr (!is_leaf<T> && !is_variant<T>::value && !is_vector<T>::value && has_fields<T>()) {
    const auto fa = fields(a);
    const auto fb = fields(b);
    constexpr std::size_t n = std::tuple_size_v<decltype(fa)>;
    auto name = [&](std::size_t i) {
      if constexpr (requires { field_names(a); }) {
        const auto names = field_names(a);
        if (names.size() == n) return fmt::format("{}.{}", path, names[i]);
      }
      return fmt::format("{}.#{}", path, i);
    };
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (diff(std::get<I>(fa), std::get<I>(fb), name(I), out), ...);
    }
    (std::make_index_sequence<n>{});
  } else {
    out.push_back(fmt::format("{}: {} vs {}", path, describe(a), describe(b)));
  }
}

template <class T>
std::vector<std::string> diff(const T& a, const T& b, const std::string& path) {
  std::vector<std::string> out;
  diff(a, b, path, out);
  return out;
}

}  // namespace hallq::test
