#include "tools/hallq/nats_args.h"

#include <chrono>

namespace hallq::cli {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void add_nats_options(CLI::App& verb, std::string& nats, std::string& credentials,
                      const std::string& credentials_help) {
  verb.add_option("--nats", nats, "NATS 集群地址，nats://主机:端口[,…]")->type_name("地址")->required();
  verb.add_option("--nats-credentials", credentials, credentials_help)
      ->type_name("文件")
      ->required()
      ->check(CLI::ExistingFile);
}

replicate::NatsConnection::Options nats_options(const std::string& nats, const std::string& credentials,
                                                const char* name) {
  replicate::NatsConnection::Options o;
  o.urls = replicate::split_urls(nats);
  o.credentials_file = credentials;
  o.name = name;
  return o;
}

}  // namespace hallq::cli
