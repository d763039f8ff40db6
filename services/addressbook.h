/* addressbook — rotki's address names. rotki keeps a private address book in the user DB
 * (address_book: the accounts' labels live there too) and a global one in its global DB, which
 * pipit does not have. POST /api/1/names/addressbook/<private|global>: the book's entries
 * ({"entries": [{"address", "name", "blockchain"}], "entries_found", "entries_total"}; filters
 * addresses, name_substring, blockchain; limit/offset), the global book empty. POST /api/1/names
 * {"addresses": [{"address", "blockchain"?}]}: {address: name} from the private book, rotki's
 * first source (the account labels are the same rows). blockchain is the API name ("eth"); an
 * entry for every EVM chain (rotki's TYPE_EVMLIKE) shows blockchain null. PUT/PATCH/DELETE
 * /api/1/names/addressbook/private {"entries": [{"address", "name", "blockchain"?}]} (DELETE:
 * "addresses") add, rename, remove: checked against the book first, so an entry that exists
 * (PUT) or does not (PATCH, DELETE) is a 409 and nothing changes; the global book is a 409. */
#ifndef PIPIT_ADDRESSBOOK_H
#define PIPIT_ADDRESSBOOK_H

int addressbook_init(void);

#endif
