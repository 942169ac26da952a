#include "fetch/connection.hpp"

#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>

namespace asyncscrape::fetch {

namespace {

using Stream = std::variant<boost::beast::tcp_stream, TlsStream>;

Stream make_stream(const boost::asio::any_io_executor& executor,
                   boost::asio::ssl::context* tls_context) {
    if (tls_context) {
        return Stream(std::in_place_type<TlsStream>, executor, *tls_context);
    }
    return Stream(std::in_place_type<boost::beast::tcp_stream>, executor);
}

}  // namespace

Connection::Connection(const boost::asio::any_io_executor& executor,
                       boost::asio::ssl::context* tls_context)
    : stream_(make_stream(executor, tls_context)) {}

boost::beast::tcp_stream& Connection::transport() {
    if (auto* tls_stream = tls()) {
        return tls_stream->next_layer();
    }
    return std::get<boost::beast::tcp_stream>(stream_);
}

bool Connection::peer_closed() {
    auto& socket = transport().socket();
    if (!socket.is_open()) {
        return true;
    }
    // Between responses nothing may arrive: end of stream, an error, or any byte (for TLS most
    // likely a close_notify alert) all mean the connection cannot carry another request.
    char byte = 0;
    const ssize_t received = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return !(received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

boost::beast::flat_buffer& Connection::read_buffer() {
    // Beast reads at most the buffer's free capacity (512 bytes at first, then growing): with
    // room for a typical response from the start, one read takes its header and body.
    constexpr std::size_t typical_response_bytes = 16 * 1024;
    if (read_buffer_.capacity() < typical_response_bytes) {
        read_buffer_.reserve(typical_response_bytes);
    }
    return read_buffer_;
}

Connection::ExchangeScratch& Connection::exchange_scratch() {
    if (!scratch_) {
        scratch_ = std::make_unique<ExchangeScratch>();
    }
    return *scratch_;
}

void Connection::close() {
    boost::system::error_code ignored;
    transport().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    transport().socket().close(ignored);
}

}  // namespace asyncscrape::fetch
