#include "tests/integration/cluster/extra_node.hpp"

#include <signal.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace signet::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> connect_args(const Installation& installation, std::uint16_t port) {
    return {"--connect-to",
            "127.0.0.1:" + std::to_string(installation.port) + ":127.0.0.1:" + std::to_string(port)};
}

}  // namespace

ExtraNode::ExtraNode(const Installation& installation, std::string node_name, const std::string& extra)
    : name(std::move(node_name)), port(free_port()), installation_(installation) {
    if (!on_postgresql()) throw std::logic_error("several nodes need SIGNET_TEST_STORE=postgresql");
    std::string config = read_file(installation.install / "signetd.toml");
    const std::string port_line = "port = " + std::to_string(installation.port) + "\n";
    config.replace(config.find(port_line), port_line.size(),
                   "port = " + std::to_string(port) + "\nnode = \"" + name + "\"\n");
    config += extra + "\n[audit]\ncheckpoint_file = \"audit-checkpoints-" + name + ".ndjson\"\n";
    config_ = installation.install / (name + ".toml");
    write_file(config_, config);
    start();
}

void ExtraNode::start() {
    process_ = std::make_unique<BackgroundProcess>(std::vector<std::string>{SIGNETD_PATH, "--config", config_.string()},
                                                   installation_.dir / (name + ".log"));
    for (int i = 0; i < 300; ++i) {
        auto health = installation_.request("GET", "/v1/health", "", "balancer", "application/json", connect_to());
        if (health.status == 200) return;
        if (!process_->running()) throw std::runtime_error(name + " exited: " + read_file(installation_.dir / (name + ".log")));
        std::this_thread::sleep_for(100ms);
    }
    throw std::runtime_error(name + " did not become healthy");
}

void ExtraNode::kill() {
    ::kill(process_->pid(), SIGKILL);
    process_->stop();
}

int ExtraNode::stop() { return process_->stop(60s); }

std::vector<std::string> ExtraNode::connect_to() const { return connect_args(installation_, port); }

Balancer::Balancer(const Installation& installation, const std::vector<std::uint16_t>& ports)
    : port(free_port()), installation_(installation) {
    const auto pki = installation.install / "pki";
    write_file(installation.dir / "balancer-check.pem", read_file(pki / "balancer.pem") + read_file(pki / "balancer.key"));
    std::string config =
        "global\n    log stderr format raw local0 info\n"
        "defaults\n    mode tcp\n    log global\n    option tcplog\n    option redispatch\n    retries 3\n"
        "    timeout connect 5s\n    timeout client 120s\n    timeout server 120s\n    timeout check 3s\n"
        "frontend signet\n    bind 127.0.0.1:" + std::to_string(port) + "\n    default_backend signetd\n"
        "backend signetd\n    balance leastconn\n    option httpchk\n"
        "    http-check send meth GET uri /v1/health ver HTTP/1.1 hdr Host signet\n"
        "    http-check expect status 200\n"
        "    default-server check check-ssl verify required ca-file " + (pki / "tls-ca.pem").string() +
        " crt " + (installation.dir / "balancer-check.pem").string() + " inter 500ms fall 2 rise 2\n";
    for (std::size_t i = 0; i < ports.size(); ++i) {
        config += "    server node-" + std::to_string(i + 1) + " 127.0.0.1:" + std::to_string(ports[i]) + "\n";
    }
    write_file(installation.dir / "haproxy.cfg", config);
    auto checked = run({"haproxy", "-c", "-q", "-f", (installation.dir / "haproxy.cfg").string()});
    if (checked.exit_code != 0) throw std::runtime_error("haproxy.cfg: " + checked.output);
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"haproxy", "-db", "-f", (installation.dir / "haproxy.cfg").string()},
        installation.dir / "haproxy.log");
    for (int i = 0; i < 100; ++i) {
        if (installation.request("GET", "/v1/health", "", "balancer", "application/json", connect_to()).status == 200) return;
        std::this_thread::sleep_for(100ms);
    }
    throw std::runtime_error("HAProxy does not answer: " + read_file(installation.dir / "haproxy.log"));
}

std::vector<std::string> Balancer::connect_to() const { return connect_args(installation_, port); }

}  // namespace signet::test
