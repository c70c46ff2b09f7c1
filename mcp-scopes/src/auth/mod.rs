//! Authentication of MCP requests: access-token validation against the authorization server's JWKS,
//! the `Principal` it yields, and the 401/403 challenges.

mod principal;

pub use principal::Principal;
