#include "fetch/exchange.hpp"

#include "fetch/body_decoder.hpp"
#include "fetch/response_headers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <chrono>
#include <cstddef>
#include <memory_resource>
#include <tuple>

namespace asyncscrape::fetch {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

// Generous for real sites (large cookies), small enough that headers cannot exhaust memory.
constexpr std::uint32_t max_header_bytes = 64 * 1024;

// A response's head is parsed into the connection's arena: Beast's fields would otherwise allocate
// once per field and for the reason phrase, a dozen times per response of a usual server. The
// arena falls back to the heap for heads larger than it.
using HeadAllocator = std::pmr::polymorphic_allocator<char>;
using ResponseParser = http::parser<false, http::buffer_body, HeadAllocator>;

bool is_informational(int status) {
    return status >= 100 && status < 200 && status != 101;
}

FetchFailure decoding_failure(BodyDecoder::Status status, std::string_view coding) {
    if (status == BodyDecoder::Status::too_large) {
        return {FetchError::body_too_large, "body too large"};
    }
    return {FetchError::protocol, "protocol: corrupt " + std::string(coding) + " body"};
}

template <class Stream>
asio::awaitable<Exchange> exchange_on(Stream& stream, boost::beast::flat_buffer& buffer,
                                      Connection::ExchangeScratch& scratch,
                                      const OutgoingRequest& request, std::size_t max_body_bytes,
                                      std::chrono::steady_clock::time_point deadline) {
    Exchange result;
    const auto [write_error, written] = co_await asio::async_write(
        stream, asio::buffer(request.bytes), asio::as_tuple(asio::use_awaitable));
    if (write_error) {
        const bool cancelled = co_await caller_cancelled();
        result.nothing_received = true;
        result.failure = classify_failure(FetchPhase::write_request, write_error, cancelled);
        co_return result;
    }
    const auto sent_at = std::chrono::steady_clock::now();

    std::pmr::monotonic_buffer_resource head_memory(scratch.head_arena.data(),
                                                    scratch.head_arena.size());
    std::optional<ResponseParser> parser;
    do {  // informational responses (103 Early Hints, ...) precede the real one
        parser.reset();
        head_memory.release();  // the memory of an informational response's head goes with it
        parser.emplace(std::piecewise_construct, std::make_tuple(),
                       std::make_tuple(HeadAllocator(&head_memory)));
        parser->header_limit(max_header_bytes);
        parser->body_limit(max_body_bytes);
        parser->skip(request.head);
        const auto [error, read] = co_await http::async_read_header(
            stream, buffer, *parser, asio::as_tuple(asio::use_awaitable));
        if (error) {
            const bool cancelled = co_await caller_cancelled();
            result.nothing_received = !parser->got_some() && buffer.size() == 0;
            result.failure = classify_failure(FetchPhase::read_header, error, cancelled);
            co_return result;
        }
        result.status = parser->get().result_int();
    } while (is_informational(result.status));
    result.ttfb_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent_at)
            .count();
    result.headers = collect_response_headers(parser->get());

    const std::string_view content_encoding = parser->get()[http::field::content_encoding];
    // A coding we cannot decode (only when the user asked for it) leaves the body as sent.
    BodyDecoder decoder(parse_content_coding(content_encoding).value_or(ContentCoding::identity),
                        max_body_bytes);
    auto& chunk = scratch.body_chunk;
    while (!parser->is_done()) {
        // Beast's stream timer never fires while every read completes at once (its expiry is
        // seen by a handler that each completed read makes stale): a body that streams without
        // a pause is held to the deadline here.
        if (std::chrono::steady_clock::now() >= deadline) {
            result.failure =
                classify_failure(FetchPhase::read_body, boost::beast::error::timeout, false);
            co_return result;
        }
        auto& body = parser->get().body();
        body.data = chunk.data();
        body.size = chunk.size();
        auto [error, read] =
            co_await http::async_read(stream, buffer, *parser, asio::as_tuple(asio::use_awaitable));
        if (error == http::error::need_buffer) {
            error = {};
        } else if (error == asio::ssl::error::stream_truncated) {
            // Servers often close TLS without close_notify; for a body that runs to the end of
            // the connection that is its end, as a plain connection's end of stream is.
            parser->put_eof(error);
        }
        const BodyDecoder::Status decoded = decoder.write({chunk.data(), chunk.size() - body.size});
        if (error) {
            const bool cancelled = co_await caller_cancelled();
            result.failure = classify_failure(FetchPhase::read_body, error, cancelled);
            co_return result;
        }
        if (decoded != BodyDecoder::Status::ok) {
            result.failure = decoding_failure(decoded, content_encoding);
            co_return result;
        }
    }
    if (const BodyDecoder::Status finished = decoder.finish();
        finished != BodyDecoder::Status::ok) {
        result.failure = decoding_failure(finished, content_encoding);
        co_return result;
    }
    result.body = std::move(decoder.body());
    result.reusable = parser->get().keep_alive() && buffer.size() == 0 && result.status != 101;
    co_return result;
}

}  // namespace

asio::awaitable<Exchange> exchange(Connection& connection, const OutgoingRequest& request,
                                   std::size_t max_body_bytes,
                                   std::chrono::steady_clock::time_point deadline) {
    if (TlsStream* tls = connection.tls()) {
        co_return co_await exchange_on(*tls, connection.read_buffer(),
                                       connection.exchange_scratch(), request, max_body_bytes,
                                       deadline);
    }
    co_return co_await exchange_on(connection.transport(), connection.read_buffer(),
                                   connection.exchange_scratch(), request, max_body_bytes,
                                   deadline);
}

}  // namespace asyncscrape::fetch
