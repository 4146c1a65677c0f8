#pragma once
// More signetd nodes for an installation on PostgreSQL (issue 23), and HAProxy in front of them:
// each node is the installation's configuration with a port, a node name and a checkpoint file
// of its own, on the same store and the same SoftHSM token.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/support/fixture.hpp"

namespace signet::test {

class ExtraNode {
public:
    // Writes the node's configuration (`extra` appended, as Installation's extra_config) and
    // starts it.
    ExtraNode(const Installation& installation, std::string name, const std::string& extra = "");

    // Starts the node and waits until it is healthy.
    void start();
    // SIGKILL, as a crash would, and reaps it.
    void kill();
    // SIGTERM and wait; returns the exit status.
    int stop();
    // curl's arguments that send an installation's request to this node instead.
    std::vector<std::string> connect_to() const;

    const std::string name;
    const std::uint16_t port;

private:
    const Installation& installation_;
    std::filesystem::path config_;
    std::unique_ptr<BackgroundProcess> process_;
};

// HAProxy in TCP mode before `ports`, checking each GET /v1/health with the installation's
// "balancer" certificate (role monitor) every 500 ms, a node out after two failures.
class Balancer {
public:
    Balancer(const Installation& installation, const std::vector<std::uint16_t>& ports);
    std::vector<std::string> connect_to() const;

    const std::uint16_t port;

private:
    const Installation& installation_;
    std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace signet::test
