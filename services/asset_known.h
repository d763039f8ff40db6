/* asset_known — whether pipit takes an asset identifier, the one check every endpoint that is
 * given an asset makes (rotki answers "Unknown asset X provided." otherwise): what the asset
 * registry knows (services/assets/registry.h: fiat, the natives, the built-in and learned
 * tokens) in its canonical spelling, what the price layer can price, plus any well-formed EVM token identifier "eip155:<chain id>/erc20:<address>"
 * (EIP-55 checked when mixed-case). */
#ifndef PIPIT_ASSET_KNOWN_H
#define PIPIT_ASSET_KNOWN_H

int asset_known(const char *identifier);

#endif
