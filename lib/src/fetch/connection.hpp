// One outbound connection, plain or TLS, as the pool keeps it between requests.
#pragma once

#include "fetch/tls_context.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <variant>

namespace asyncscrape::fetch {

class Connection {
  public:
    // A plain connection, or a TLS one when `tls_context` is given.
    Connection(const boost::asio::any_io_executor& executor,
               boost::asio::ssl::context* tls_context);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // The TCP layer: connect, deadlines and closing go through it in both cases.
    boost::beast::tcp_stream& transport();
    // The TLS layer, or null for a plain connection.
    TlsStream* tls() { return std::get_if<TlsStream>(&stream_); }

    // A pooled connection the server may have closed meanwhile: true when the socket reads as
    // closed (or holds bytes nobody asked for), checked without blocking.
    bool peer_closed();

    void close();

    // Where responses are read, kept with the connection so that a reused connection reads
    // into memory it already has. Between exchanges it is empty (a response with bytes after
    // its end leaves the connection unreusable).
    boost::beast::flat_buffer& read_buffer();

    // Scratch memory of the exchange in progress: the arena its response head is parsed into
    // and the chunk its body is read through. Kept with the connection, as the read buffer is,
    // so that an exchange's coroutine frame stays small (19.6 KB with them in it: an allocation
    // past every fast path of malloc, for every request) and a reused connection works in memory
    // that is warm.
    struct ExchangeScratch {
        std::array<std::byte, 2048> head_arena;
        std::array<char, 16 * 1024> body_chunk;
    };
    ExchangeScratch& exchange_scratch();  // made at first use

    // When it was last handed back to the pool.
    std::chrono::steady_clock::time_point idle_since;

  private:
    std::variant<boost::beast::tcp_stream, TlsStream> stream_;
    boost::beast::flat_buffer read_buffer_;
    std::unique_ptr<ExchangeScratch> scratch_;
};

}  // namespace asyncscrape::fetch
