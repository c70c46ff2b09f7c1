//! The listener's side of [`serve`](super::serve): which accept errors concern one client only,
//! and what the listener does once the graceful-shutdown signal fires: take every client the
//! kernel already connected, then close, without resetting a client that has sent its request.
//!
//! Closing a listening socket resets the connections still in its accept queue; their clients
//! may have sent a request already (the kernel completes a handshake without the server), and a
//! load balancer does not resend a POST on a connection that was reset after sending. Accepting
//! until the queue is empty and then closing leaves a window: a handshake completed between the
//! last accept and the close (a moment, longer when the thread is preempted on a loaded machine)
//! is reset. On Linux, [`refuse_new_handshakes`] closes it: from then on the kernel drops every
//! SYN the listener receives, so no new connection completes. The handshakes under way at that
//! moment (SYN answered, final ACK on its way) still complete, and are accepted for
//! [`HANDSHAKE_SETTLE`]; then the queue is drained and the listener closed. A client whose SYN
//! was dropped retransmits it after a second, meets the closed port and is refused, which a
//! load balancer retries on another instance since nothing was sent.
//!
//! Why a SYN-only filter rather than one dropping everything: the kernel runs the listener's
//! filter on the final ACK of a handshake under way too, and dropping that ACK would leave the
//! client connected (it sends its request) while the server never sees the connection: it is
//! reset once the listener closes. Dropping only SYNs lets those handshakes complete, while no
//! new one can start. Connections completed after the filter is attached inherit it, which only
//! drops a SYN arriving on an established connection (never needed).

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

/// Once new handshakes are refused, how long those already under way get to complete (a round
/// trip, and the final ACK's processing on a loaded machine) before the listener is closed. A
/// client further away than that is reset after sending its request, as without the filter.
pub(super) const HANDSHAKE_SETTLE: Duration = Duration::from_millis(100);

/// Hands every client already connected (or connecting) on `listener` to `serve_client`, then
/// closes the listener; new clients are refused from then on.
pub(super) async fn take_waiting_clients(
    listener: TcpListener,
    mut serve_client: impl FnMut((TcpStream, SocketAddr)),
) {
    if refuse_new_handshakes(&listener) {
        let settled = tokio::time::Instant::now() + HANDSHAKE_SETTLE;
        while let Ok(accepted) = tokio::time::timeout_at(settled, listener.accept()).await {
            match accepted {
                Ok(accepted) => serve_client(accepted),
                Err(e) if is_connection_error(&e) => tracing::debug!("accept while stopping: {e}"),
                Err(e) => {
                    tracing::debug!("accept while stopping: {e}");
                    break;
                }
            }
        }
    }
    for accepted in drain_backlog(listener) {
        serve_client(accepted);
    }
}

/// Makes the kernel drop every SYN `listener` receives (a classic BPF socket filter), so that no
/// new connection completes; `false` where that is not available (then a client connecting
/// while the listener closes may be reset).
#[cfg(target_os = "linux")]
fn refuse_new_handshakes(listener: &TcpListener) -> bool {
    use socket2::{SockFilter, SockRef};
    // Opcodes from <linux/filter.h>; the filter sees the packet from its TCP header on.
    const LOAD_BYTE_AT: u16 = 0x30; // BPF_LD | BPF_B | BPF_ABS
    const JUMP_IF_ANY_BIT: u16 = 0x45; // BPF_JMP | BPF_JSET | BPF_K
    const RETURN: u16 = 0x06; // BPF_RET | BPF_K: how many bytes to keep, 0 drops
    const TCP_FLAGS_OFFSET: u32 = 13;
    const TCP_SYN: u32 = 0x02;
    let drop_syns = [
        SockFilter::new(LOAD_BYTE_AT, 0, 0, TCP_FLAGS_OFFSET),
        // SYN set: go on to the next instruction (drop), else skip it (keep).
        SockFilter::new(JUMP_IF_ANY_BIT, 0, 1, TCP_SYN),
        SockFilter::new(RETURN, 0, 0, 0),
        SockFilter::new(RETURN, 0, 0, u32::MAX),
    ];
    match SockRef::from(listener).attach_filter(&drop_syns) {
        Ok(()) => true,
        Err(e) => {
            tracing::debug!("cannot make the listener refuse new connections while stopping: {e}");
            false
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn refuse_new_handshakes(_listener: &TcpListener) -> bool {
    false
}

/// The connections already waiting in `listener`'s backlog, taken without waiting for more; the
/// listener is closed afterwards. Asks the operating system directly: the runtime's readiness
/// for the listener may not know yet of a client that connected a moment ago.
fn drain_backlog(listener: TcpListener) -> Vec<(TcpStream, SocketAddr)> {
    let mut waiting = Vec::new();
    let Ok(listener) = listener.into_std() else {
        return waiting;
    };
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                let stream = stream
                    .set_nonblocking(true)
                    .and_then(|()| TcpStream::from_std(stream));
                match stream {
                    Ok(stream) => waiting.push((stream, peer)),
                    Err(e) => tracing::debug!("accept while stopping: {e}"),
                }
            }
            Err(e) if is_connection_error(&e) => tracing::debug!("accept while stopping: {e}"),
            Err(e) => {
                if e.kind() != io::ErrorKind::WouldBlock {
                    tracing::debug!("accept while stopping: {e}");
                }
                return waiting;
            }
        }
    }
}

/// An error about one client's connection (it went away before being accepted), not about the
/// listener: accept the next one at once.
pub(super) fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
