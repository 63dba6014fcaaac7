//! Tokens: HS256 JWTs with `sub` = user id, `authorities` = the role, and a random `jti` that
//! the database keeps as the user's one live token. Knows neither HTTP nor SQL.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::procurement::domain::Role;

/// A token with less than this many seconds left is refreshed by the next request.
pub const REFRESH_WINDOW_SECS: i64 = 600;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub authorities: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
}

/// A freshly issued token.
#[derive(Clone, Debug)]
pub struct Issued {
    pub jwt: String,
    pub jti: String,
    pub expires_at: i64,
}

/// A new random secret (256 bits, hex) for a server started without one.
pub fn generate_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn new_jti() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Signs a token for `user_id` valid `ttl_secs` from `now`.
pub fn issue(
    secret: &str,
    user_id: &str,
    role: Role,
    ttl_secs: i64,
    now: i64,
) -> anyhow::Result<Issued> {
    let claims = Claims {
        sub: user_id.to_owned(),
        authorities: role.authority().to_owned(),
        jti: new_jti(),
        iat: now,
        exp: now.saturating_add(ttl_secs),
    };
    let jwt = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )?;
    Ok(Issued {
        jwt,
        jti: claims.jti,
        expires_at: claims.exp,
    })
}

/// The claims of a well-signed, unexpired token.
pub fn verify(secret: &str, jwt: &str) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub"]);
    jsonwebtoken::decode::<Claims>(
        jwt,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .ok()
    .map(|data| data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_with_its_secret_only() {
        let now = chrono::Utc::now().timestamp();
        let issued = issue("s1", "12345678911", Role::Applicant, 3600, now).expect("issue");
        let claims = verify("s1", &issued.jwt).expect("valid");
        assert_eq!(claims.sub, "12345678911");
        assert_eq!(claims.authorities, "USER");
        assert!(verify("s2", &issued.jwt).is_none());
        let expired = issue("s1", "12345678911", Role::Applicant, -10, now).expect("issue");
        assert!(verify("s1", &expired.jwt).is_none());
    }
}
