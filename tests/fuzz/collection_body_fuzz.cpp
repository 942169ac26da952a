// Fuzz target: a collection's request body, as POST and PUT of a collection take it. A POST body
// goes the API's way: its shape read (read_collection_spec, with the server's limits, which are the
// defaults), then the runtime's validate(). A PUT body goes through the public
// parse_collection_patch, which checks the parts it gives as the runtime does; merged into a stored
// collection, the whole is validated again.
//
// Besides "no crash, no leak, no undefined behaviour" it checks three properties of the contract:
// - what the runtime stored is accepted again, unchanged;
// - a patch whose parts pass the rules makes, merged, a collection that passes them as a whole
//   (the runtime checks only a patch's parts);
// - the requests as a GET shows them ("as stored: URLs normalised, defaults filled in",
//   docs/api.md) are accepted again as they are, so a client can PUT back what it read.
#include "invariant.hpp"
#include "model/json_mapping.hpp"

#include <asyncscrape/json.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asyncscrape::fuzz {
namespace {

namespace json = boost::json;

// The server's limits (api::Context takes them from a default RuntimeConfig).
const ValidationLimits limits{};

// What a GET of the collection would show of it, as JSON text: the comparable form of a spec.
json::object shown(const std::string& name, const std::vector<Request>& requests,
                   const std::optional<std::string>& callback_url) {
    json::array shown_requests;
    for (const Request& request : requests) {
        shown_requests.push_back(to_value(request));
    }
    return {{"name", name},
            {"requests", std::move(shown_requests)},
            {"callback_url", callback_url ? json::value(*callback_url) : json::value(nullptr)}};
}

std::string shown_text(const CollectionSpec& spec) {
    return json::serialize(shown(spec.name, spec.requests, spec.callback_url));
}

// POST: the body's shape read, then validated by the runtime before it is stored.
void create(std::string_view body) {
    auto read = read_collection_spec(body, limits);
    if (!read) {
        return;
    }
    auto spec = validate(std::move(read).value(), limits);
    if (!spec) {
        return;
    }
    const std::string accepted = shown_text(*spec);

    auto stored = validate(*spec, limits);
    expect(stored.has_value(), "the runtime accepts again what it stored",
           stored ? std::string_view{} : std::string_view(stored.error().detail));
    expect(shown_text(*stored) == accepted, "validating a stored spec again changes nothing",
           accepted + "\n" + shown_text(*stored));

    auto again = parse_collection_spec(accepted, limits);
    expect(again.has_value(), "a collection as GET shows it can be posted again",
           again ? accepted : accepted + "\n" + again.error().detail);
    expect(shown_text(*again) == accepted, "posting a collection as GET shows it changes nothing",
           accepted + "\n" + shown_text(*again));
}

// PUT: a patch whose parts the public parser checked, merged into a stored collection: the whole
// must pass too, as the runtime checks only the parts.
void update(std::string_view body) {
    auto patch = parse_collection_patch(body, limits);
    if (!patch) {
        return;
    }
    Request stored_request;
    stored_request.url = "https://example.com/";
    CollectionSpec merged{
        patch->name ? std::move(*patch->name) : std::string("stored"),
        patch->requests ? std::move(*patch->requests) : std::vector<Request>{stored_request},
        patch->callback_url ? std::move(*patch->callback_url) : std::nullopt};
    const std::string accepted = shown_text(merged);
    auto updated = validate(std::move(merged), limits);
    expect(updated.has_value(), "the runtime accepts a patch the public parser accepted",
           updated ? std::string_view{} : std::string_view(updated.error().detail));
    expect(shown_text(*updated) == accepted, "validating a parsed patch again changes nothing",
           accepted + "\n" + shown_text(*updated));
}

}  // namespace
}  // namespace asyncscrape::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    asyncscrape::fuzz::create(body);
    asyncscrape::fuzz::update(body);
    return 0;
}
