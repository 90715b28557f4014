-- Service points matching a search, one page ($page_size rows from $page_start; null $page_size = all) with the total: $search is a substring (literal, case-insensitive) of name, address, category, system, district, street or community, or ≥ 2 Latin letters (spaces ignored) within the pinyin initials of the name, street or category (name_initials); $category, $system, $district, $street nullable. Reads the search profiles (search_profile, derived at publish time), not every name.
with
query as (
    select
        coalesce($search, '') as text,
        lower(coalesce($search, '')) as lower_text,
        -- the text's key, as the profiles hold names and addresses: lowercased, each run of digits as 0
        regexp_replace(lower(coalesce($search, '')), '[0-9]+', '0', 'g') as key_text,
        regexp_matches(coalesce($search, ''), '[0-9]') as has_digit,
        -- for a text with digits: the digits it holds (one bit each), its first run of digits, and whether it is
        -- one digit or digits only, which the name's digit bits or runs then decide without reading the name
        digit_mask(coalesce($search, '')) as text_digits,
        regexp_extract(coalesce($search, ''), '[0-9]+') as digit_run,
        regexp_full_match(coalesce($search, ''), '[0-9]') as one_digit,
        regexp_full_match(coalesce($search, ''), '[0-9]+') as only_digits
),

-- A search of ≥ 2 Latin letters (spaces ignored) is also read as initials: the name keys whose pattern
-- (caremap/search.py) holds them, each letter x as the slot x of a one-reading character or inside a
-- polyphone's slot [..X..]. The expression uses $search itself, so the regular expression is compiled once.
initials_keys as (
    select n.name_key
    from name_initials as n
    where regexp_matches(
        n.initials,
        case
            when regexp_full_match(replace(coalesce($search, ''), ' ', ''), '[A-Za-z]{2,}')
                then regexp_replace(lower(replace($search, ' ', '')), '([a-z])', '(?:\1|[[][A-Z]*(?i:\1)[A-Z]*[]])', 'g')
        end
    )
),

-- The small tables first: the places and categories whose name holds the text (or its initials; a name's
-- key is the name with each run of digits written as 0).
found_categories as (
    select c.code
    from service_category as c
    cross join query as q
    where contains(lower(c.name), q.lower_text)
        or contains(lower(c.name_en), q.lower_text)
        or contains(lower(c.system), q.lower_text)
        or regexp_replace(c.name, '[0-9]+', '0', 'g') in (select k.name_key from initials_keys as k)
),

found_districts as (
    select d.code
    from district as d
    cross join query as q
    where contains(lower(d.name), q.lower_text)
),

found_streets as (
    select s.code
    from street as s
    cross join query as q
    where contains(lower(s.name), q.lower_text)
        or regexp_replace(s.name, '[0-9]+', '0', 'g') in (select k.name_key from initials_keys as k)
),

found_communities as (
    select m.code
    from community as m
    cross join query as q
    where contains(lower(m.name), q.lower_text)
),

-- Each profile: 0 out of scope; in scope, 4 (exact) when its category, a place, its initials or (a text without
-- digits) its name or address key matches, else 1 when a text with digits matches its name key and 2 its address
-- key (both: 3), and the points' own digits then decide.
profiles as (
    select
        f.profile_id,
        f.points,
        case
            when not (
                ($district is null or f.district_code = $district)
                and ($street is null or f.street_code = $street)
                and ($category is null or f.category = $category)
                and ($system is null or f.category in (select c.code from service_category as c where c.system = $system))
            ) then 0
            when coalesce(
                q.text = ''
                or f.category in (select x.code from found_categories as x)
                or f.district_code in (select x.code from found_districts as x)
                or f.street_code in (select x.code from found_streets as x)
                or f.community_code in (select x.code from found_communities as x)
                or f.initials_key in (select k.name_key from initials_keys as k)
                or (not q.has_digit and (contains(f.name_key, q.key_text) or contains(f.address_key, q.key_text))),
                false
            ) then 4
            else
                coalesce(q.has_digit and contains(f.name_key, q.key_text), false)::integer
                + (coalesce(q.has_digit and contains(f.address_key, q.key_text), false)::integer << 1)
        end as kind
    from search_profile as f
    cross join query as q
),

exact_profiles as (
    select x.profile_id, x.points
    from profiles as x
    where x.kind = 4
),

-- A text with digits: the distinct addresses that hold it (for one digit, the points' address bits decide, and the
-- list is left empty), and the profiles that are candidates (kinds 1–3) with the digit bits to test in a name (kind
-- 1 or 3) and in an address (kind 2 or 3) for one digit.
found_addresses as (
    select a.address_id
    from search_address as a
    cross join query as q
    where q.has_digit and not q.one_digit and contains(a.address_text, q.lower_text)
),

candidate_profiles as (
    select
        x.profile_id,
        x.kind,
        case when q.one_digit and x.kind in (1, 3) then q.text_digits else 0 end as name_bits,
        case when q.one_digit and x.kind in (2, 3) then q.text_digits else 0 end as address_bits
    from profiles as x
    cross join query as q
    where x.kind between 1 and 3
),

-- For one digit, each profile's bits to test by its id (profile_id runs from 1 without gaps, as derive_search.sql
-- numbers them): the name's in bits 0–9 (kind 1 or 3), the address's in bits 10–19 (kind 2 or 3), none for a profile
-- out of scope, exact or no candidate. Looking a point's profile up in this list costs less than a join.
digit_lookup as (
    select list(coalesce(c.name_bits | (c.address_bits << 10), 0) order by f.profile_id) as profile_bits
    from search_profile as f
    left join candidate_profiles as c on f.profile_id = c.profile_id
),

-- First without reading a name, in one pass over the points: for one digit, a name or an address whose digit bits
-- hold it (one integer expression per point); else an address that holds the text, among the points whose address
-- bits hold the text's (a constant filter, read with the points). A constant condition on the text plans away the
-- pass that does not apply.
found_by_digit as (
    select s.point_no
    from search_point as s
    where regexp_full_match(coalesce($search, ''), '[0-9]')
        and (s.name_digits | (coalesce(s.address_digits, 0) << 10))
        & list_extract((select k.profile_bits from digit_lookup as k), s.profile_id) <> 0
),

found_by_address as (
    select s.point_no
    from search_point as s
    inner join candidate_profiles as c on s.profile_id = c.profile_id
    inner join found_addresses as a on s.address_id = a.address_id
    where regexp_matches(coalesce($search, ''), '[0-9]')
        and not regexp_full_match(coalesce($search, ''), '[0-9]')
        and s.address_digits & digit_mask(coalesce($search, '')) = digit_mask(coalesce($search, ''))
        and c.kind >= 2
),

-- The other texts with digits are also looked for in the names of the profiles whose name key holds the text's: digits
-- only in the name's digit runs, else in the lowercased name; a point whose address holds the text is found above.
-- Each list is empty when its case does not apply, and a join to an empty list reads no point. search_point is
-- stored in profile order, so a join to a few profiles reads only their part of the table.
run_profiles as (
    select x.profile_id, x.kind
    from profiles as x
    cross join query as q
    where x.kind in (1, 3) and q.only_digits and not q.one_digit
),

name_profiles as (
    select x.profile_id, x.kind, q.lower_text, q.digit_run
    from profiles as x
    cross join query as q
    where x.kind in (1, 3) and not q.only_digits
),

found_in_runs as (
    select s.point_no
    from search_point as s
    inner join run_profiles as c on s.profile_id = c.profile_id
    where regexp_full_match(coalesce($search, ''), '[0-9]{2,}')
        and s.name_digits & digit_mask(coalesce($search, '')) = digit_mask(coalesce($search, ''))
        and contains(s.name_runs, coalesce($search, ''))
        and not (c.kind = 3 and coalesce(s.address_id in (select a.address_id from found_addresses as a), false))
),

found_in_names as (
    select s.point_no
    from search_point as s
    inner join name_profiles as c on s.profile_id = c.profile_id
    where regexp_matches(coalesce($search, ''), '[0-9]')
        and not regexp_full_match(coalesce($search, ''), '[0-9]+')
        and s.name_digits & digit_mask(coalesce($search, '')) = digit_mask(coalesce($search, ''))
        and contains(s.name_runs, c.digit_run)
        and contains(s.name_text, c.lower_text)
        and not (c.kind = 3 and coalesce(s.address_id in (select a.address_id from found_addresses as a), false))
),

-- The parts do not overlap (a point of an exact profile is no candidate; a point found by its address is not looked
-- for in its name). Materialised: the total counts it and the page reads it.
verified as materialized (
    select f.point_no from found_by_digit as f
    union all
    select f.point_no from found_by_address as f
    union all
    select f.point_no from found_in_runs as f
    union all
    select f.point_no from found_in_names as f
),

total as (
    select
        ((select coalesce(sum(e.points), 0) from exact_profiles as e) + (select count(*) from verified))::bigint
            as total
),

hits as (
    select s.point_no
    from search_point as s
    where s.profile_id in (select e.profile_id from exact_profiles as e)
    union all
    select v.point_no from verified as v
),

page as (
    select s.id
    from search_point as s
    where s.point_no in (
        select h.point_no
        from hits as h
        order by h.point_no
        limit $page_size
        offset $page_start
    )
),

final as (
    select
        p.id,
        p.name,
        p.category,
        c.name as category_name,
        c.name_en as category_name_en,
        c.system,
        c.color,
        d.name as district_name,
        s.name as street_name,
        m.name as community_name,
        p.address,
        p.phone,
        p.lon,
        p.lat,
        p.updated_on,
        t.total
    from page as x
    cross join total as t
    inner join service_point as p on x.id = p.id
    inner join service_category as c on p.category = c.code
    left join district as d on p.district_code = d.code
    left join street as s on p.street_code = s.code
    left join community as m on p.community_code = m.code
)

select * from final
order by id
