#include "server/response_head.hpp"

#include <boost/beast/http/status.hpp>

namespace asyncscrape::server {

namespace http = boost::beast::http;

std::string serialize_head(const http::response_header<>& head) {
    const auto reason =
        head.reason().empty() ? http::obsolete_reason(head.result()) : head.reason();
    std::size_t size = 32 + reason.size();
    for (const auto& field : head) {
        size += field.name_string().size() + field.value().size() + 4;
    }
    std::string bytes;
    bytes.reserve(size);
    // As Beast writes it: "HTTP/X.Y ### ".
    bytes.append("HTTP/");
    bytes.push_back(static_cast<char>('0' + head.version() / 10));
    bytes.push_back('.');
    bytes.push_back(static_cast<char>('0' + head.version() % 10));
    bytes.push_back(' ');
    bytes.append(std::to_string(head.result_int())).push_back(' ');
    bytes.append(reason.data(), reason.size()).append("\r\n");
    for (const auto& field : head) {
        bytes.append(field.name_string().data(), field.name_string().size()).append(": ");
        bytes.append(field.value().data(), field.value().size()).append("\r\n");
    }
    bytes.append("\r\n");
    return bytes;
}

}  // namespace asyncscrape::server
