// The server-side request forgery guard: a job may only reach addresses on the public internet,
// so that a submitted URL cannot make us talk to loopback services, the private network or a
// cloud metadata endpoint. It judges resolved addresses (never host names), so every spelling of
// an address (`127.1`, `2130706433`, `[::ffff:127.0.0.1]`, a DNS name pointing inwards) is caught.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <string_view>
#include <vector>

namespace asyncscrape::fetch {

inline constexpr std::string_view blocked_message = "blocked: private address";

// False for loopback, private, shared (carrier-grade NAT), link-local, unique-local, multicast,
// unspecified, broadcast, documentation, benchmarking and reserved addresses, and for IPv6 forms
// that embed such an IPv4 address (mapped, compatible, NAT64, 6to4).
bool is_public_address(const boost::asio::ip::address& address);

// Which resolved addresses a fetch may connect to.
class AddressGuard {
  public:
    // With `allow_private_targets` every address is permitted (local use and tests).
    explicit AddressGuard(bool allow_private_targets);

    // Permits this one address besides the public ones, while every other non-public address
    // stays refused: lets loopback tests run a target with the guard on.
    void admit(const boost::asio::ip::address& address);

    bool permits(const boost::asio::ip::address& address) const;

  private:
    bool allow_private_targets_;
    std::vector<boost::asio::ip::address> admitted_;
};

}  // namespace asyncscrape::fetch
