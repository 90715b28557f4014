-- Service points matching a search, one page ($page_size rows from $page_start; null $page_size = all) with the total: $search is a substring (literal, case-insensitive) of name, address, category, system, district, street or community, or ≥ 2 Latin letters (spaces ignored) within the pinyin initials of the name, street or category (name_initials); $category, $system, $district, $street nullable. Reads the search profiles (search_profile, derived at publish time), not every name.
with
query as (
    select
        coalesce($search, '') as text,
        lower(coalesce($search, '')) as lower_text,
        -- the text's key, as the profiles hold names and addresses: lowercased, each run of digits as 0
        regexp_replace(lower(coalesce($search, '')), '[0-9]+', '0', 'g') as key_text,
        regexp_matches(coalesce($search, ''), '[0-9]') as has_digit
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

-- Each profile in scope: exact when its category, a place, its initials or (a text without digits) its name or
-- address key matches; a candidate when a text with digits matches its keys (the points' own digits then decide).
profiles as (
    select
        f.profile_id,
        f.points,
        q.lower_text,
        coalesce(
            q.text = ''
            or f.category in (select x.code from found_categories as x)
            or f.district_code in (select x.code from found_districts as x)
            or f.street_code in (select x.code from found_streets as x)
            or f.community_code in (select x.code from found_communities as x)
            or f.initials_key in (select k.name_key from initials_keys as k)
            or (not q.has_digit and (contains(f.name_key, q.key_text) or contains(f.address_key, q.key_text))),
            false
        ) as exact,
        coalesce(q.has_digit and contains(f.name_key, q.key_text), false) as in_name,
        coalesce(q.has_digit and contains(f.address_key, q.key_text), false) as in_address
    from search_profile as f
    cross join query as q
    where ($district is null or f.district_code = $district)
        and ($street is null or f.street_code = $street)
        and ($category is null or f.category = $category)
        and ($system is null or f.category in (select c.code from service_category as c where c.system = $system))
),

exact_profiles as (
    select x.profile_id, x.points
    from profiles as x
    where x.exact
),

candidate_profiles as (
    select x.profile_id, x.lower_text, x.in_name, x.in_address
    from profiles as x
    where (x.in_name or x.in_address) and not x.exact
),

-- A text with digits, on the candidates only: in a name, on the points' own names (the condition names both sides
-- of the join, so it is evaluated on the joined rows, never pushed down to a scan of every point); in an address,
-- on the distinct addresses, then their points.
name_candidates as (
    select c.profile_id, c.lower_text, c.in_address
    from candidate_profiles as c
    where c.in_name
),

found_addresses as (
    select a.address_id
    from search_address as a
    cross join query as q
    where q.has_digit and contains(a.address_text, q.lower_text)
),

-- The two parts do not overlap (a point found by its address is not looked for in its name): no deduplication.
verified as (
    select s.id
    from search_point as s
    inner join name_candidates as c on s.profile_id = c.profile_id and contains(s.name_text, c.lower_text)
    where not (c.in_address and coalesce(s.address_id in (select a.address_id from found_addresses as a), false))
    union all
    select s.id
    from search_point as s
    where s.profile_id in (select c.profile_id from candidate_profiles as c where c.in_address)
        and s.address_id in (select a.address_id from found_addresses as a)
),

total as (
    select
        ((select coalesce(sum(e.points), 0) from exact_profiles as e) + (select count(*) from verified))::bigint
            as total
),

hits as (
    select s.id
    from search_point as s
    where s.profile_id in (select e.profile_id from exact_profiles as e)
    union all
    select v.id from verified as v
),

page as (
    select h.id
    from hits as h
    order by h.id
    limit $page_size
    offset $page_start
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
