#include "api/health.hpp"

#include <boost/json/object.hpp>

namespace asyncscrape::api {

server::Reply health() {
    return server::json_reply(boost::beast::http::status::ok,
                              boost::json::object{{"status", "ok"}});
}

}  // namespace asyncscrape::api
