// nats.c's own natsSubscription_Fetch in the pattern that broke the city view
// (engine/replicate/pull_fetcher.h): fetches of a batch alternating a 1 ms
// wait, which gives up while the server is still sending, and a long one,
// which then starts with the rest of that batch queued. Prints each fetch's
// count and the messages left queued after it; stops at the first fetch that
// returns more than its batch (exit 1: the list was written past its end; the
// process may instead abort in free() first). Exit 0: no overflow seen. After
// each 1 ms fetch it lets up to 1 s pass for the rest of the batch to arrive.
//
//   bench/nats_fetch_overflow.sh   (starts a 1-node JetStream server on a free port)
//   hallq_nats_fetch_overflow URL [MESSAGES [BATCH [ROUNDS]]]   (default 5000 256 200)
//
// It uses a stream FETCH_OVERFLOW (subject fetchoverflow.>) and a durable
// consumer of that name on the server at URL; use a scratch server.
#include <nats/nats.h>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s URL [MESSAGES [BATCH [ROUNDS]]]\n", argv[0]);
    return 2;
  }
  const int messages = argc > 2 ? std::atoi(argv[2]) : 5000;
  const int batch = argc > 3 ? std::atoi(argv[3]) : 256;
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 200;
  std::setvbuf(stdout, nullptr, _IONBF, 0);  // what was printed survives an abort

  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  if (natsConnection_ConnectTo(&nc, argv[1]) != NATS_OK ||
      natsConnection_JetStream(&js, nc, nullptr) != NATS_OK) {
    std::fprintf(stderr, "cannot connect to %s: %s\n", argv[1], nats_GetLastError(nullptr));
    return 2;
  }
  jsStreamConfig sc;
  jsStreamConfig_Init(&sc);
  sc.Name = "FETCH_OVERFLOW";
  const char* subjects[] = {"fetchoverflow.>"};
  sc.Subjects = subjects;
  sc.SubjectsLen = 1;
  if (js_AddStream(nullptr, js, &sc, nullptr, &jerr) != NATS_OK) {
    std::fprintf(stderr, "stream: %s\n", nats_GetLastError(nullptr));
    return 2;
  }
  const std::string payload(200, 'x');
  for (int i = 0; i < messages; ++i)
    js_PublishAsync(js, "fetchoverflow.a", payload.data(), static_cast<int>(payload.size()), nullptr);
  js_PublishAsyncComplete(js, nullptr);

  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = "FETCH_OVERFLOW";
  natsSubscription* sub = nullptr;
  if (js_PullSubscribe(&sub, js, "fetchoverflow.>", "FETCH_OVERFLOW", nullptr, &so, &jerr) != NATS_OK) {
    std::fprintf(stderr, "pull subscribe: %s\n", nats_GetLastError(nullptr));
    return 2;
  }
  std::printf("nats.c %s, %d messages, batch %d\n", nats_GetVersion(), messages, batch);
  for (int round = 0; round < rounds; ++round) {
    const int wait_ms = round % 2 == 0 ? 1 : 2000;
    natsMsgList list{};
    const natsStatus s = natsSubscription_Fetch(&list, sub, batch, wait_ms, &jerr);
    int queued = 0, bytes = 0;
    natsSubscription_GetPending(sub, &queued, &bytes);
    std::printf("fetch %3d (wait %4d ms): %s, %d messages, %d left queued\n", round, wait_ms,
                natsStatus_GetText(s), list.Count, queued);
    for (int i = 0; i < list.Count; ++i) natsMsg_Ack(list.Msgs[i], nullptr);
    if (wait_ms == 1) {
      // Let the rest of the batch the server is still sending arrive (up to 1 s), so that
      // the next fetch starts with it queued.
      for (int i = 0; i < 1000 && queued <= batch / 2; ++i) {
        nats_Sleep(1);
        natsSubscription_GetPending(sub, &queued, &bytes);
      }
    }
    const int count = list.Count;
    if (count > batch) {
      std::printf("OVERFLOW: %d messages in a list of %d\n", count, batch);
      return 1;  // the list is not freed: it was written past its end
    }
    natsMsgList_Destroy(&list);
  }
  std::printf("no fetch returned more than its batch\n");
  return 0;
}
