//! A private Redis Cluster for one test: 6 `redis-server` processes in cluster mode (3
//! masters, each with 1 replica), on free loopback ports, each in its own temporary
//! directory, joined by `redis-cli --cluster create`. Every process is stopped by its process
//! id when the cluster is dropped, and the directories are removed. Nodes can be killed
//! (`SIGKILL`) and restarted to test failovers.
//!
//! The same conventions as [`redis_server`](crate::redis_server): required under CI (`CI`
//! set: a missing `redis-server` or `redis-cli` fails the test); elsewhere a missing binary
//! skips the test with a message.

use std::io::ErrorKind;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SERVER: &str = "redis-server";
const CLI: &str = "redis-cli";
/// The cluster's failure detection time (`cluster-node-timeout`), in milliseconds: a master
/// that stops answering is failed over by its replica about 2 to 3 s later.
pub const NODE_TIMEOUT_MS: u64 = 1000;
const NODES: usize = 6;
const READY_WITHIN: Duration = Duration::from_secs(20);

/// A running Redis Cluster of 6 nodes (3 masters, 3 replicas), killed on drop.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<Node>,
    dir: PathBuf,
}

#[derive(Debug)]
struct Node {
    port: u16,
    bus_port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl Node {
    fn spawn(&mut self) -> std::io::Result<()> {
        let config = self.dir.join(format!("nodes-{}.conf", self.port));
        let child = Command::new(SERVER)
            .args(["--port", &self.port.to_string()])
            .args(["--cluster-port", &self.bus_port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--cluster-enabled", "yes"])
            .arg("--cluster-config-file")
            .arg(&config)
            .args(["--cluster-node-timeout", &NODE_TIMEOUT_MS.to_string()])
            .args(["--appendonly", "no", "--save", ""])
            // A restarted node gets the data of its new master at once (not 5 s later).
            .args(["--repl-diskless-sync-delay", "0"])
            .arg("--dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.child = Some(child);
        Ok(())
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGKILL, by process id.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn exited(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(Some(_))))
    }
}

/// Skips (`None`, with a message) or fails under CI when `binary` is not installed.
fn installed(binary: &str) -> bool {
    match Command::new(binary)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(_) => true,
        Err(error) if error.kind() == ErrorKind::NotFound => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{binary} is required under CI (install the Debian packages redis-server and redis-tools)"
            );
            eprintln!(
                "skipped: {binary} is not installed (apt-get install redis-server redis-tools)"
            );
            false
        }
        Err(error) => panic!("cannot run {binary}: {error}"),
    }
}

impl RedisCluster {
    /// Starts 6 nodes on free ports, creates the cluster (`--cluster-replicas 1`) and waits
    /// until every node says `cluster_state:ok`. `None` (with a message) when `redis-server`
    /// or `redis-cli` is missing and `CI` is unset; panics when one is missing under CI.
    pub fn start() -> Option<Self> {
        if !installed(SERVER) || !installed(CLI) {
            return None;
        }
        let dir = std::env::temp_dir().join(format!(
            "vortex-redis-cluster-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        let mut cluster = Self {
            nodes: Vec::new(),
            dir,
        };
        // Keeps the listeners until every port is chosen, so that no two are the same.
        let listeners: Vec<TcpListener> = (0..NODES * 2)
            .map(|_| TcpListener::bind("127.0.0.1:0").expect("a free loopback port"))
            .collect();
        let ports: Vec<u16> = listeners
            .iter()
            .map(|listener| listener.local_addr().expect("a local address").port())
            .collect();
        drop(listeners);
        for pair in ports.chunks(2) {
            let node_dir = cluster.dir.join(format!("node-{}", pair[0]));
            std::fs::create_dir_all(&node_dir).expect("a temporary directory for a node");
            let mut node = Node {
                port: pair[0],
                bus_port: pair[1],
                dir: node_dir,
                child: None,
            };
            node.spawn()
                .unwrap_or_else(|error| panic!("cannot start {SERVER}: {error}"));
            cluster.nodes.push(node);
        }
        for index in 0..NODES {
            cluster.wait_answers(index);
        }
        let mut create = Command::new(CLI);
        create.arg("--cluster").arg("create");
        for node in &cluster.nodes {
            create.arg(format!("127.0.0.1:{}", node.port));
        }
        let output = create
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .expect("run redis-cli --cluster create");
        assert!(
            output.status.success(),
            "redis-cli --cluster create failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let ports: Vec<u16> = cluster.ports();
        cluster.wait_until("cluster_state:ok on every node", READY_WITHIN, |cluster| {
            ports.iter().all(|&port| cluster.state_ok(port))
        });
        Some(cluster)
    }

    /// The nodes' ports.
    pub fn ports(&self) -> Vec<u16> {
        self.nodes.iter().map(|node| node.port).collect()
    }

    /// `redis://127.0.0.1:PORT` of every node.
    pub fn urls(&self) -> Vec<String> {
        self.ports()
            .into_iter()
            .map(|port| format!("redis://127.0.0.1:{port}"))
            .collect()
    }

    /// Runs `redis-cli -p PORT ARGS…` and answers its output (empty when the node does not
    /// answer).
    pub fn cli(&self, port: u16, args: &[&str]) -> String {
        Command::new(CLI)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
            .unwrap_or_default()
    }

    /// The slot of `key` (`CLUSTER KEYSLOT`), asked to a live node.
    pub fn slot_of(&self, key: &str) -> u16 {
        let port = self.live_port();
        let answer = self.cli(port, &["CLUSTER", "KEYSLOT", key]);
        answer
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("CLUSTER KEYSLOT {key}: {answer:?}"))
    }

    /// The port of the master serving `slot`, as the live node `asked` sees it
    /// (`CLUSTER NODES`): `None` while no live master serves it.
    pub fn master_of_slot(&self, asked: u16, slot: u16) -> Option<u16> {
        let nodes = self.cli(asked, &["CLUSTER", "NODES"]);
        nodes.lines().find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let flags = fields.get(2)?;
            if !flags.contains("master") || flags.contains("fail") {
                return None;
            }
            let serves = fields.iter().skip(8).any(|range| {
                let mut bounds = range.splitn(2, '-').map(str::parse::<u16>);
                match (bounds.next(), bounds.next()) {
                    (Some(Ok(first)), Some(Ok(last))) => (first..=last).contains(&slot),
                    (Some(Ok(only)), None) => only == slot,
                    _ => false,
                }
            });
            if !serves {
                return None;
            }
            let address = fields.get(1)?;
            address
                .split(['@', ','])
                .next()?
                .rsplit(':')
                .next()?
                .parse()
                .ok()
        })
    }

    /// The port of the master that holds `key` now.
    pub fn master_of_key(&self, key: &str) -> u16 {
        let slot = self.slot_of(key);
        self.master_of_slot(self.live_port(), slot)
            .unwrap_or_else(|| panic!("no master serves slot {slot}"))
    }

    /// Kills the node on `port` with `SIGKILL` (no shutdown, nothing saved).
    pub fn kill(&mut self, port: u16) {
        self.node_mut(port).stop();
    }

    /// Starts the node on `port` again, with its cluster configuration file: it rejoins the
    /// cluster (after a failover, as a replica of the master that replaced it).
    pub fn restart(&mut self, port: u16) {
        let node = self.node_mut(port);
        node.stop();
        node.spawn().expect("restart redis-server");
        let index = self.index(port);
        self.wait_answers(index);
    }

    /// Waits (at most `within`) until a live master other than `old` serves `slot` and every
    /// live node says `cluster_state:ok`: the failover is over. Answers how long it waited.
    pub fn wait_failover(&self, slot: u16, old: u16, within: Duration) -> Duration {
        let started = Instant::now();
        let live: Vec<u16> = self.live_ports();
        self.wait_until(
            "a replica promoted in place of the killed master",
            within,
            |cluster| {
                live.iter().all(|&port| {
                    cluster
                        .master_of_slot(port, slot)
                        .is_some_and(|master| master != old)
                        && cluster.state_ok(port)
                })
            },
        );
        started.elapsed()
    }

    /// Waits (at most `within`) until the node on `port` is a replica in sync with its master
    /// (`master_link_status:up`). Answers how long it waited.
    pub fn wait_replica_in_sync(&self, port: u16, within: Duration) -> Duration {
        let started = Instant::now();
        self.wait_until(
            "the restarted node in sync as a replica",
            within,
            |cluster| {
                let info = cluster.cli(port, &["INFO", "replication"]);
                info.contains("role:slave") && info.contains("master_link_status:up")
            },
        );
        started.elapsed()
    }

    fn state_ok(&self, port: u16) -> bool {
        self.cli(port, &["CLUSTER", "INFO"])
            .contains("cluster_state:ok")
    }

    fn wait_until(&self, what: &str, within: Duration, mut done: impl FnMut(&Self) -> bool) {
        let deadline = Instant::now() + within;
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "Redis Cluster: no {what} within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_answers(&mut self, index: usize) {
        let deadline = Instant::now() + READY_WITHIN;
        let port = self.nodes[index].port;
        loop {
            assert!(
                !self.nodes[index].exited(),
                "{SERVER} on port {port} exited (port taken?)"
            );
            if self.cli(port, &["PING"]).trim() == "PONG" {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{SERVER} on port {port} did not answer"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn live_ports(&self) -> Vec<u16> {
        self.nodes
            .iter()
            .filter(|node| node.child.is_some())
            .map(|node| node.port)
            .collect()
    }

    fn live_port(&self) -> u16 {
        *self.live_ports().first().expect("a live node")
    }

    fn index(&self, port: u16) -> usize {
        self.nodes
            .iter()
            .position(|node| node.port == port)
            .unwrap_or_else(|| panic!("no node on port {port}"))
    }

    fn node_mut(&mut self, port: u16) -> &mut Node {
        let index = self.index(port);
        &mut self.nodes[index]
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            node.stop();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
