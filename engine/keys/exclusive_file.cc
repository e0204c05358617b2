// O_EXCL rather than an exists() check: two writers racing for one name
// cannot both succeed.
#include "engine/keys/exclusive_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/keys/curve_keys.h"

namespace hallq::keys {

void write_exclusive(const std::string& path, std::string_view text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST)
      throw KeyFileError(fmt::format("{}: already exists (refusing to overwrite a key)", path));
    throw KeyFileError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  }
  ::fchmod(fd, mode);  // the umask may have narrowed or (for 0600, never) widened it
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      throw KeyFileError(fmt::format("{}: cannot write: {}", path, std::strerror(err)));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    throw KeyFileError(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
}

}  // namespace hallq::keys
