// /v1/async/collections and /v1/async/collections/{collection_id}.
#pragma once

#include "api/call.hpp"

namespace asyncscrape::api {

Task<server::Reply> create_collection(const Call& call);
Task<server::Reply> list_collections(const Call& call);
Task<server::Reply> get_collection(const Call& call);
Task<server::Reply> update_collection(const Call& call);
Task<server::Reply> delete_collection(const Call& call);

}  // namespace asyncscrape::api
