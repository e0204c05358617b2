// The regression runner: the same target as the fuzzer, compiled without
// libFuzzer (any compiler), fed once with every file of the directories (or
// files) given on the command line: the committed seed corpus and every input
// that ever crashed the target (fuzz/regressions/<target>/). A crash, a
// sanitizer report or a failed property aborts the runner, so ctest fails.
// Prints the number of inputs it ran; exit 2 if a path does not exist or
// nothing was run.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path p(argv[i]);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& entry : fs::directory_iterator(p))
        if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
          files.push_back(entry.path());
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      std::cerr << argv[0] << ": no such file or directory: " << p << "\n";
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A heap copy of exactly the file's size, as libFuzzer passes it (so an
    // overread is an overread here too, under a sanitizer).
    std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(copy.data(), copy.size());
  }
  std::cout << files.size() << " inputs replayed" << std::endl;
  return files.empty() ? 2 : 0;
}
