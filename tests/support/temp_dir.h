// A fresh directory under the system's temporary directory
// ("<stem>-XXXXXX"), removed with everything in it when the object goes.
// Throws std::runtime_error if it cannot be made. Thread: one owner.
#pragma once

#include <string>

namespace hallq::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& stem = "hallq-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace hallq::testing
