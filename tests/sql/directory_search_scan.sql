-- Service points matching a search, one page ($page_size rows from $page_start; null $page_size = all) with the total: $search is a substring (literal, case-insensitive) of name, address, category, system, district, street or community, or ≥ 2 Latin letters (spaces ignored) within the pinyin initials of the name, street or category (name_initials); $category, $system, $district, $street nullable.
with
query as (
    select
        coalesce($search, '') as text,
        lower(coalesce($search, '')) as lower_text
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

found_by_initials as (
    select p.id
    from service_point_initials as p
    where p.name_key in (select k.name_key from initials_keys as k)
),

-- No text: every point in scope (the search branch below then reads nothing).
everything as (
    select p.id
    from service_point as p
    inner join query as q on q.text = ''
    where ($district is null or p.district_code = $district)
        and ($street is null or p.street_code = $street)
        and ($category is null or p.category = $category)
        and ($system is null or p.category in (select c.code from service_category as c where c.system = $system))
),

searched as (
    select p.id
    from service_point as p
    inner join query as q on q.text <> ''
    where ($district is null or p.district_code = $district)
        and ($street is null or p.street_code = $street)
        and ($category is null or p.category = $category)
        and ($system is null or p.category in (select c.code from service_category as c where c.system = $system))
        and (
            p.category in (select f.code from found_categories as f)
            or p.district_code in (select f.code from found_districts as f)
            or p.street_code in (select f.code from found_streets as f)
            or p.community_code in (select f.code from found_communities as f)
            or p.id in (select f.id from found_by_initials as f)
            -- name or address, on $search itself (a constant pattern: a quarter faster than a column's); a text
            -- with cased letters is case-folded only where its first letter occurs
            or case
                when lower($search) = upper($search) then contains(p.name, $search) or contains(p.address, $search)
                when contains(p.name, lower(left($search, 1))) or contains(p.name, upper(left($search, 1)))
                    or contains(p.address, lower(left($search, 1))) or contains(p.address, upper(left($search, 1)))
                    then contains(lower(p.name), lower($search)) or contains(lower(p.address), lower($search))
                else false
            end
        )
),

hits as (
    select e.id from everything as e
    union all
    select s.id from searched as s
),

total as (
    select count(*) as total from hits
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
