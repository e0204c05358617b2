// `Overloaded{lambda...}`: one visitor for std::visit made of several lambdas,
// each handling some of the variant's alternatives.
#pragma once

namespace hallq::core {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
// Clang before 17 does not deduce aggregate template arguments by itself.
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace hallq::core
