-- Derived at publish time (build and import), after the initials: the directory's search profiles and each point's.
-- A profile is what a search can match on a point but its digits: category, places, the name's initials key and
-- the name and address lowercased with each run of ASCII digits written as 0. A text holds a substring of a name
-- exactly when the profile's key holds the text's own key (digits as 0) and, for a text with digits, the point's
-- own lowercased name or its distinct lowercased address (search_address); so a search reads the few thousand
-- profiles, and the points' names only for a digit.
-- Two passes over the points (a grouping, then a join to the few profiles) keep the memory small at any scale.
delete from search_point;

delete from search_address;

insert into search_profile
with
keyed as (
    select
        p.category,
        p.district_code,
        p.street_code,
        p.community_code,
        regexp_replace(p.name, '[0-9]+', '0', 'g') as initials_key,
        regexp_replace(lower(p.address), '[0-9]+', '0', 'g') as address_key
    from service_point as p
),

grouped as (
    select
        k.category,
        k.district_code,
        k.street_code,
        k.community_code,
        k.initials_key,
        lower(k.initials_key) as name_key, -- lowercasing leaves digits as they are
        k.address_key,
        count(*) as points
    from keyed as k
    group by all
)

select
    (row_number() over (
        order by g.category, g.district_code, g.street_code, g.community_code, g.initials_key, g.name_key,
            g.address_key
    ))::integer as profile_id,
    g.*
from grouped as g;

insert into search_address
select
    (row_number() over (order by a.address_text))::integer as address_id,
    a.address_text
from (select distinct lower(p.address) as address_text from service_point as p where p.address is not null) as a;

insert into search_point
select
    (row_number() over (order by p.id))::integer as point_no, -- the directory's order, as an integer to sort by
    p.id,
    f.profile_id,
    lower(p.name) as name_text,
    -- the name's digit runs, each after a space: a text of digits only is in the name exactly when it is in these
    regexp_replace(p.name, '[^0-9]+', ' ', 'g') as name_runs,
    digit_mask(regexp_replace(p.name, '[^0-9]+', ' ', 'g')) as name_digits, -- the same bits, from the short runs
    a.address_id,
    a.address_digits
from service_point as p
inner join search_profile as f
    on p.category = f.category
        and p.district_code = f.district_code
        and p.street_code is not distinct from f.street_code
        and p.community_code is not distinct from f.community_code
        and regexp_replace(p.name, '[0-9]+', '0', 'g') = f.initials_key -- and so its name_key
        and regexp_replace(lower(p.address), '[0-9]+', '0', 'g') is not distinct from f.address_key
left join (
    select x.address_id, x.address_text, digit_mask(x.address_text) as address_digits from search_address as x
) as a on lower(p.address) = a.address_text
order by f.profile_id, point_no;
