// ZeroMQ sends and receives that a signal does not break.
//
// libzmq fails zmq_send/zmq_recv with EINTR when a signal lands while the call
// looks at the socket's command mailbox, before it takes or queues a message
// (device programs install their stop handlers without SA_RESTART, signals.h).
// cppzmq throws that as zmq::error_t. These retry it, so what a call returns is
// the socket's answer (a message, or nothing there for a non-blocking call),
// never a signal's; waits that a signal should end are zmq::poll's, whose
// callers handle EINTR themselves. Other errors are thrown as before.
#pragma once

#include <cerrno>
#include <zmq.hpp>

namespace hallq::client {

// Calls `call` (a send or receive of a ZeroMQ socket) until it does not fail with EINTR.
template <class Call>
auto uninterrupted(Call call) {
  for (;;) {
    try {
      return call();
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
  }
}

inline zmq::recv_result_t recv_uninterrupted(zmq::socket_t& socket, zmq::message_t& msg,
                                             zmq::recv_flags flags) {
  return uninterrupted([&] { return socket.recv(msg, flags); });
}

inline zmq::send_result_t send_uninterrupted(zmq::socket_t& socket, zmq::const_buffer bytes,
                                             zmq::send_flags flags) {
  return uninterrupted([&] { return socket.send(bytes, flags); });
}

}  // namespace hallq::client
