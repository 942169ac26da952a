#include "server/content_type.hpp"

#include <boost/beast/core/string.hpp>

namespace asyncscrape::server {
namespace {

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

bool ends_with_ignoring_case(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           boost::beast::iequals(text.substr(text.size() - suffix.size()), suffix);
}

}  // namespace

bool is_json_media_type(std::string_view content_type) {
    const std::string_view media_type = trim(content_type.substr(0, content_type.find(';')));
    constexpr std::string_view application = "application/";
    if (media_type.size() <= application.size() ||
        !boost::beast::iequals(media_type.substr(0, application.size()), application)) {
        return false;
    }
    const std::string_view subtype = media_type.substr(application.size());
    return boost::beast::iequals(subtype, "json") ||
           (subtype.size() > 5 && ends_with_ignoring_case(subtype, "+json"));
}

}  // namespace asyncscrape::server
